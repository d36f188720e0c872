; 64-bit division, and the two ways it raises #DE (divide error).
; System V AMD64: arguments in rdi, rsi, rdx, rcx; result in rax.

; uint64_t udiv128(uint64_t lo, uint64_t hi, uint64_t d, uint64_t *remainder)
; Divides the 128-bit hi:lo by d. #DE when d = 0, and when the quotient does not fit in 64 bits
; (that is, when hi >= d): `div` has no way to return a wider quotient.
global udiv128
udiv128:
    mov r8, rdx             ; div uses rdx:rax, so move d out of the way
    mov rax, rdi
    mov rdx, rsi
    div r8                  ; rax = hi:lo / d, rdx = hi:lo % d
    mov [rcx], rdx
    ret

; int64_t sdiv64(int64_t a, int64_t b): truncating signed division, like C.
; #DE when b = 0, and for INT64_MIN / -1 (the quotient 2^63 does not fit).
global sdiv64
sdiv64:
    mov rax, rdi
    cqo                     ; sign-extend rax into rdx:rax
    idiv rsi
    ret
