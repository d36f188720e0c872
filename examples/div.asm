; The seed's example: after div, the architecture leaves CF, OF, SF, ZF, AF and PF undefined.
; vial run examples/div.asm                       (track: the flags print as ?)
; vial run examples/div.asm --undefined strict    (strict: stops at jc, which reads CF)
; vial run examples/div.asm --undefined zero      (zero: undefined results become 0)
mov eax, 100
xor edx, edx        ; the dividend's high half: a defined 0
mov ecx, 7
div ecx             ; eax = 14, edx = 2
jc carry            ; a branch on an undefined flag: strict mode stops here
mov ebx, 1
carry:
