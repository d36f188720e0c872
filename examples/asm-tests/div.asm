; The seed's example: after div, the quotient and remainder are defined, the six status flags are
; architecturally undefined (vial calls them undefined; real CPUs put different values there).
; @mode 64
; @set eax=100 edx=0 ecx=7

; @case quotient and remainder
; @expect eax=14 edx=2 CF=undefined OF=undefined ZF=undefined SF=undefined AF=undefined PF=undefined DF=0

; @case divide by zero faults
; @set ecx=0
; @expect-fault #DE

; @case a branch on a flag div left undefined stops the strict policy
; @undefined strict
; @expect-stop strict

    div ecx
    jc .carry        ; depends on CF, which div leaves undefined
    nop
.carry:
