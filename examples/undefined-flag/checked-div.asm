; uint64_t checked_div(uint64_t a, uint64_t b): a / b, or UINT64_MAX ("error") when b = 0.
; System V AMD64: a = rdi, b = rsi; result in rax.
;
; THE BUG: after the division the author tests CF, believing `div` reports something there.
; The SDM says: "The CF, OF, SF, ZF, AF, and PF flags are undefined" after DIV. On the AMD CPU
; this was written on, `div` leaves CF unchanged, and the `xor` before it cleared CF, so the
; `jc` is never taken and every test passes. Another CPU may set CF after `div` and make
; checked_div report an error for a perfectly good division.

global checked_div
checked_div:
    test rsi, rsi
    jz .error
    mov rax, rdi
    xor edx, edx            ; high half of the dividend (and, incidentally, CF = 0)
    div rsi
.flag_test:
    jc .error               ; BUG: CF is undefined here
    ret
.error:
    mov rax, -1
    ret

; The fix: decide everything before the division; nothing to test after it.
global checked_div_fixed
checked_div_fixed:
    mov rax, -1
    test rsi, rsi
    jz .done
    mov rax, rdi
    xor edx, edx
    div rsi
.done:
    ret
