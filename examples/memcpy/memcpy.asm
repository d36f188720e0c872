; void *memcpy(void *dst, const void *src, size_t n)
; System V AMD64: dst = rdi, src = rsi, n = rdx; returns dst in rax.
; `rep movsb` copies rcx bytes from [rsi] to [rdi], forwards because the ABI guarantees DF = 0.

global memcpy
memcpy:
    mov rax, rdi            ; the return value is the destination
    mov rcx, rdx            ; rep counts in rcx
    rep movsb
    ret
