/*
 * Per-architecture facts for the vial oracle runner: system call numbers, the kernel's signal
 * structures (we are freestanding, so we declare them ourselves) and how to read and redirect a
 * signal context. Layouts follow the Linux UAPI headers asm/sigcontext.h, asm/ucontext.h and
 * asm/signal.h for x86_64 and i386.
 */
#ifndef VIAL_ORACLE_ARCH_H
#define VIAL_ORACLE_ARCH_H

#include <stdint.h>

typedef uintptr_t reg_t;

#if defined(__x86_64__)

#define GPR_COUNT 16
#define NR_read 0
#define NR_write 1
#define NR_mmap 9
#define NR_munmap 11
#define NR_rt_sigaction 13
#define NR_rt_sigreturn 15
#define NR_setitimer 38
#define NR_sigaltstack 131
#define NR_prctl 157
#define NR_exit_group 231
#define NR_madvise 28
#define NR_ftruncate 77
#define NR_memfd_create 319
#define AUDIT_ARCH_NATIVE 0xC000003Eu /* AUDIT_ARCH_X86_64 */
#define MMAP_OFFSET(bytes) ((long)(bytes))
/* Virtual size of the page pool (sparse: only pages cases use take memory). */
#define POOL_BYTES (1ull << 30)

/* struct sigcontext (x86_64), the part we use. */
struct kernel_mcontext {
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
  uint16_t cs, gs, fs, ss;
  uint64_t err, trapno, oldmask, cr2;
};

struct kernel_ucontext {
  uint64_t uc_flags;
  uint64_t uc_link;
  uint64_t ss_sp;
  uint32_t ss_flags, ss_pad;
  uint64_t ss_size;
  struct kernel_mcontext mc;
};

/* siginfo: signo, errno, code, then (after padding to 8) the union. */
struct kernel_siginfo {
  int32_t si_signo, si_errno, si_code, si_pad;
  uint64_t si_addr; /* SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGTRAP: fault address; SIGSYS: call address */
  int32_t si_syscall;
  uint32_t si_arch;
  uint8_t rest[128 - 32];
};

/* Copies the interrupted context's registers in encoding order (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15). */
static inline void context_read_gprs(const struct kernel_mcontext *mc, uint64_t out[16]) {
  out[0] = mc->rax, out[1] = mc->rcx, out[2] = mc->rdx, out[3] = mc->rbx;
  out[4] = mc->rsp, out[5] = mc->rbp, out[6] = mc->rsi, out[7] = mc->rdi;
  out[8] = mc->r8, out[9] = mc->r9, out[10] = mc->r10, out[11] = mc->r11;
  out[12] = mc->r12, out[13] = mc->r13, out[14] = mc->r14, out[15] = mc->r15;
}
#define CONTEXT_IP(mc) ((mc)->rip)
#define CONTEXT_SP(mc) ((mc)->rsp)
#define CONTEXT_FLAGS(mc) ((mc)->eflags)
#define CONTEXT_CS(mc) ((mc)->cs)

#elif defined(__i386__)

#define GPR_COUNT 8
#define NR_exit_group 252
#define NR_read 3
#define NR_write 4
#define NR_mmap 192 /* mmap2: the offset is in pages */
#define NR_munmap 91
#define NR_rt_sigaction 174
#define NR_rt_sigreturn 173
#define NR_setitimer 104
#define NR_sigaltstack 186
#define NR_prctl 172
#define NR_madvise 219
#define NR_ftruncate 194 /* ftruncate64: the length's high half is the next argument (0 here) */
#define NR_memfd_create 356
#define AUDIT_ARCH_NATIVE 0x40000003u /* AUDIT_ARCH_I386 */
#define MMAP_OFFSET(bytes) ((long)((bytes) / 4096)) /* mmap2 takes pages */
#define POOL_BYTES (1ull << 27)

/* struct sigcontext_32. */
struct kernel_mcontext {
  uint16_t gs, gsh, fs, fsh, es, esh, ds, dsh;
  uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
  uint32_t trapno, err, eip;
  uint16_t cs, csh;
  uint32_t eflags, esp_at_signal;
  uint16_t ss, ssh;
  uint32_t fpstate, oldmask, cr2;
};

struct kernel_ucontext {
  uint32_t uc_flags;
  uint32_t uc_link;
  uint32_t ss_sp, ss_flags, ss_size;
  struct kernel_mcontext mc;
};

struct kernel_siginfo {
  int32_t si_signo, si_errno, si_code;
  uint32_t si_addr;
  int32_t si_syscall;
  uint32_t si_arch;
  uint8_t rest[128 - 24];
};

static inline void context_read_gprs(const struct kernel_mcontext *mc, uint64_t out[16]) {
  out[0] = mc->eax, out[1] = mc->ecx, out[2] = mc->edx, out[3] = mc->ebx;
  out[4] = mc->esp, out[5] = mc->ebp, out[6] = mc->esi, out[7] = mc->edi;
  for (int i = 8; i < 16; i++) out[i] = 0;
}
#define CONTEXT_IP(mc) ((mc)->eip)
#define CONTEXT_SP(mc) ((mc)->esp)
#define CONTEXT_FLAGS(mc) ((mc)->eflags)
#define CONTEXT_CS(mc) ((mc)->cs)

#else
#error "the vial oracle runner needs an x86 target"
#endif

/* Kernel struct sigaction as taken by rt_sigaction (not the libc one). */
struct kernel_sigaction {
  void (*handler)(int, struct kernel_siginfo *, void *);
  unsigned long flags;
  void (*restorer)(void);
  uint64_t mask;
};

#endif
