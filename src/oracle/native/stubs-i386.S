/*
 * i386 assembly half of the vial oracle runner (see stubs-x86_64.S for the contract). Register
 * order: eax, ecx, edx, ebx, esp, ebp, esi, edi; struct case_entry = gprs[16], flags, ip (u64 each,
 * low 32 bits used).
 */
        .intel_syntax noprefix
        .text

        .globl _start
_start:
        mov eax, esp
        and esp, -16
        sub esp, 12
        push eax
        call runner_main
        hlt

/* long runner_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6), cdecl */
        .globl runner_syscall, runner_syscall_return
runner_syscall:
        push ebx
        push esi
        push edi
        push ebp
        mov eax, [esp + 20]
        mov ebx, [esp + 24]
        mov ecx, [esp + 28]
        mov edx, [esp + 32]
        mov esi, [esp + 36]
        mov edi, [esp + 40]
        mov ebp, [esp + 44]
        int 0x80
runner_syscall_return:
        pop ebp
        pop edi
        pop esi
        pop ebx
        ret

        .globl runner_sigreturn, runner_sigreturn_return
runner_sigreturn:
        mov eax, 173                    /* __NR_rt_sigreturn */
        int 0x80
runner_sigreturn_return:
        hlt

/* void runner_enter_case(const struct case_entry *entry), cdecl */
        .globl runner_enter_case
runner_enter_case:
        mov eax, [esp + 4]
        push ebx
        push esi
        push edi
        push ebp
        mov [runner_saved_sp], esp
        fninit
        ldmxcsr [runner_default_mxcsr]
        push dword ptr [eax + 128]
        popfd
        mov ecx, [eax + 136]
        mov [runner_case_ip], ecx
        mov ecx, [eax + 8]
        mov edx, [eax + 16]
        mov ebx, [eax + 24]
        mov esp, [eax + 32]
        mov ebp, [eax + 40]
        mov esi, [eax + 48]
        mov edi, [eax + 56]
        mov eax, [eax + 0]
        jmp dword ptr [runner_case_ip]

/*
 * The case may have loaded DS/ES with something useless; SS can only hold the flat data selector
 * in user mode, so the first store goes through SS and then DS/ES are restored.
 */
        .globl runner_case_end
runner_case_end:
        mov ss:[case_exit_gprs + 0], eax
        mov ax, ss:[runner_data_selector]
        mov ds, ax
        mov es, ax
        mov [case_exit_gprs + 8], ecx
        mov [case_exit_gprs + 16], edx
        mov [case_exit_gprs + 24], ebx
        mov [case_exit_gprs + 32], esp
        mov [case_exit_gprs + 40], ebp
        mov [case_exit_gprs + 48], esi
        mov [case_exit_gprs + 56], edi
        mov esp, [runner_saved_sp]
        pushfd
        pop dword ptr [case_exit_flags]
        cld
        .globl runner_resume_after_signal
runner_resume_after_signal:
        pop ebp
        pop edi
        pop esi
        pop ebx
        ret

        .section .note.GNU-stack, "", @progbits
