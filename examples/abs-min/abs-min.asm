; Branch-free integer helpers (System V AMD64: arguments in rdi, rsi; result in rax).
; No jumps: the run time does not depend on the data, which is the point of writing them so.

; int64_t abs64(int64_t x): (x ^ sign) - sign, where sign = x >> 63 (all ones when negative).
; abs64(INT64_MIN) is INT64_MIN, as in C (where it is undefined behaviour).
global abs64
abs64:
    mov rax, rdi
    cqo                     ; rdx = 0 or -1 (the sign of rax)
    xor rax, rdx
    sub rax, rdx
    ret

; int64_t min64(int64_t a, int64_t b): cmov picks b when a > b (signed).
global min64
min64:
    mov rax, rdi
    cmp rdi, rsi
    cmovg rax, rsi
    ret

; uint64_t umin64(uint64_t a, uint64_t b): b + ((a - b) & -(a < b)), with the borrow from sub.
global umin64
umin64:
    mov rax, rdi
    sub rax, rsi            ; rax = a - b, CF = (a < b)
    sbb rdx, rdx            ; rdx = -CF: all ones when a < b, else 0 (rdx's old value cancels out)
    and rax, rdx
    add rax, rsi
    ret
