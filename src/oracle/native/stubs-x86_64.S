/*
 * x86_64 assembly half of the vial oracle runner: process entry, the only two system-call
 * instructions of the process (the seccomp filter allows system calls from these addresses only),
 * and the switch into and out of a case. Register order everywhere is the encoding order
 * rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15; struct case_entry = gprs[16], flags, ip (u64 each).
 */
        .intel_syntax noprefix
        .text

        .globl _start
_start:
        mov rdi, rsp                    /* argc, argv... as the kernel left them */
        and rsp, -16
        call runner_main
        hlt

/* long runner_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6) */
        .globl runner_syscall, runner_syscall_return
runner_syscall:
        mov rax, rdi
        mov rdi, rsi
        mov rsi, rdx
        mov rdx, rcx
        mov r10, r8
        mov r8, r9
        mov r9, [rsp + 8]
        syscall
runner_syscall_return:
        ret

/* Signal-handler restorer (SA_RESTORER): the kernel returns here from a handler. */
        .globl runner_sigreturn, runner_sigreturn_return
runner_sigreturn:
        mov eax, 15                     /* __NR_rt_sigreturn */
        syscall
runner_sigreturn_return:
        hlt

/*
 * void runner_enter_case(const struct case_entry *entry)
 * Saves the runner's callee-saved registers and stack, loads the case's state and jumps to it.
 * It "returns" through runner_case_end (the case ran to its end) or through
 * runner_resume_after_signal (a signal handler redirected the faulting context there).
 */
        .globl runner_enter_case
runner_enter_case:
        push rbx
        push rbp
        push r12
        push r13
        push r14
        push r15
        mov [rip + runner_saved_sp], rsp
        fninit                          /* one case's x87/SSE control state must not leak into the next */
        ldmxcsr [rip + runner_default_mxcsr]
        push qword ptr [rdi + 128]
        popfq
        mov rax, [rdi + 136]
        mov [rip + runner_case_ip], rax
        mov rax, [rdi + 0]
        mov rcx, [rdi + 8]
        mov rdx, [rdi + 16]
        mov rbx, [rdi + 24]
        mov rsp, [rdi + 32]
        mov rbp, [rdi + 40]
        mov rsi, [rdi + 48]
        mov r8, [rdi + 64]
        mov r9, [rdi + 72]
        mov r10, [rdi + 80]
        mov r11, [rdi + 88]
        mov r12, [rdi + 96]
        mov r13, [rdi + 104]
        mov r14, [rdi + 112]
        mov r15, [rdi + 120]
        mov rdi, [rdi + 56]
        jmp qword ptr [rip + runner_case_ip]

/*
 * The jump appended after the case's code lands here. Nothing may change a flag before pushfq, and
 * the case's rsp may point anywhere, so every register is stored RIP-relative before we switch stacks.
 */
        .globl runner_case_end
runner_case_end:
        mov [rip + case_exit_gprs + 0], rax
        mov [rip + case_exit_gprs + 8], rcx
        mov [rip + case_exit_gprs + 16], rdx
        mov [rip + case_exit_gprs + 24], rbx
        mov [rip + case_exit_gprs + 32], rsp
        mov [rip + case_exit_gprs + 40], rbp
        mov [rip + case_exit_gprs + 48], rsi
        mov [rip + case_exit_gprs + 56], rdi
        mov [rip + case_exit_gprs + 64], r8
        mov [rip + case_exit_gprs + 72], r9
        mov [rip + case_exit_gprs + 80], r10
        mov [rip + case_exit_gprs + 88], r11
        mov [rip + case_exit_gprs + 96], r12
        mov [rip + case_exit_gprs + 104], r13
        mov [rip + case_exit_gprs + 112], r14
        mov [rip + case_exit_gprs + 120], r15
        mov rsp, [rip + runner_saved_sp]
        pushfq
        pop qword ptr [rip + case_exit_flags]
        cld
        .globl runner_resume_after_signal
runner_resume_after_signal:
        pop r15
        pop r14
        pop r13
        pop r12
        pop rbp
        pop rbx
        ret

        .section .note.GNU-stack, "", @progbits
