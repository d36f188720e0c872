; A function under test: rax = rdi + rsi (System V: arguments in rdi, rsi; result in rax).
; Run with: vial test examples/asm-tests/sum.asm
; @mode 64

; @case small numbers
; @set rdi=0x10 rsi=3
; @expect rax=0x13 eax=19 CF=0 ZF=0 SF=0

; @case carry out of 64 bits
; @set rdi=-1 rsi=1
; @expect rax=0 CF=1 ZF=1 OF=0

; @case signed overflow
; @set rdi=0x7fffffffffffffff rsi=1
; @expect rax=0x8000000000000000 OF=1 SF=1 CF=0

; @case an undefined argument makes the sum undefined
; @set rdi=0x100 rsi=?
; @expect rax=undefined CF=undefined

sum:
    lea rax, [rdi + rsi]   ; lea sets no flags: the add below does
    add rdi, rsi
    ret
