; 32-bit code; registers are eax..edi, and a ? hex digit must be undefined.
; @mode 32
; @set eax=0x12345678 ebx=?

; @expect eax=0x12345600 ah=0x56 bl=0x?? ebx=0x????_????
    mov al, 0
