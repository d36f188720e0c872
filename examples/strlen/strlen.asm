; size_t strlen(const char *s)
; System V AMD64: s arrives in rdi, the length goes back in rax.
; A plain byte loop: compare with 0, count, stop at the terminator.

global strlen
strlen:
    mov rax, rdi            ; rax walks the string
.next:
    cmp byte [rax], 0
    je .done
    inc rax
    jmp .next
.done:
    sub rax, rdi            ; length = end - start
    ret
