/*
 * vial host-CPU oracle runner.
 *
 * A freestanding program (no libc, raw system calls) that executes x86 machine code on the real CPU
 * from a given register/flag/memory state and reports the final state. It is built twice from this
 * source: x86_64 (`gcc -m64`) and i386 (`gcc -m32`, linked with `ld -m elf_i386`; no multilib needed
 * because nothing from libc is used). vial starts one long-lived runner per mode and streams cases
 * through stdin/stdout; see src/oracle/protocol.ts for the wire format, which mirrors the structs here.
 *
 * Safety:
 *  - a seccomp filter (installed before the first case) allows system calls only from the two
 *    system-call instructions in stubs-*.S and only the few the runner needs; any other system call
 *    (syscall, sysenter, int 0x80 from case code) becomes SIGSYS and is reported, never executed;
 *  - every fault is caught on an alternate signal stack (the case's stack pointer may be anything);
 *    the handler records the context and rewrites it to resume the runner loop;
 *  - a periodic ITIMER_VIRTUAL tick bounds runaway cases (timeout after a few ticks in one case).
 */
#include <stddef.h>
#include <stdint.h>

#include "arch.h"

#define PAGE_SIZE 4096u
#define PROTOCOL_VERSION 1u
#define MAGIC_CASE 0x53414356u   /* "VCAS" */
#define MAGIC_RESULT 0x53455256u /* "VRES" */
#define MAGIC_READY 0x59445256u  /* "VRDY" */
#define MAX_RUNS 64u
#define MAX_READS 64u

enum case_status { STATUS_COMPLETED = 0, STATUS_FAULT = 1, STATUS_TIMEOUT = 2, STATUS_SYSCALL = 3, STATUS_REJECTED = 4 };

enum { SIGILL_ = 4, SIGTRAP_ = 5, SIGBUS_ = 7, SIGFPE_ = 8, SIGSEGV_ = 11, SIGVTALRM_ = 26, SIGSYS_ = 31 };

#define PROT_READ_ 1
#define PROT_WRITE_ 2
#define MAP_SHARED_ 0x01
#define MAP_FIXED_NOREPLACE_ 0x100000
#define SA_SIGINFO_ 0x4u
#define SA_ONSTACK_ 0x08000000u
#define SA_RESTART_ 0x10000000u
#define SA_RESTORER_ 0x04000000u
#define ITIMER_VIRTUAL_ 1

/* ---- assembly half (stubs-*.S) ---- */
extern long runner_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
extern char runner_syscall_return[], runner_sigreturn_return[];
extern void runner_sigreturn(void);
struct case_entry {
  uint64_t gprs[16];
  uint64_t flags;
  uint64_t ip;
};
extern void runner_enter_case(const struct case_entry *entry);
extern char runner_case_end[], runner_resume_after_signal[];
extern char __executable_start[], etext[]; /* provided by ld's default script */

/* Shared with the stubs. */
uint64_t case_exit_gprs[16];
uint64_t case_exit_flags;
reg_t runner_saved_sp;
reg_t runner_case_ip;
uint32_t runner_default_mxcsr = 0x1f80;
uint16_t runner_data_selector;

/* ---- wire structs (little-endian, 8-byte aligned) ---- */
struct case_header {
  uint32_t magic, run_count, write_count, read_count;
  struct case_entry entry;
};
struct page_run {
  uint64_t address, length;
  uint32_t prot, pad;
};
struct byte_range {
  uint64_t address;
  uint32_t length, pad;
};
struct result_header {
  uint32_t magic, status;
  uint64_t gprs[16];
  uint64_t flags, ip;
  uint32_t signal;
  int32_t signal_code;
  uint32_t trap_number, error_code;
  uint64_t cr2, signal_address;
  int64_t detail; /* SIGSYS: system call number; rejected: -errno */
  uint64_t detail_address; /* rejected: the run that could not be mapped */
};
_Static_assert(sizeof(struct case_header) == 160, "wire layout");
_Static_assert(sizeof(struct page_run) == 24 && sizeof(struct byte_range) == 16, "wire layout");
_Static_assert(sizeof(struct result_header) == 200, "wire layout");

struct ready_message {
  uint32_t magic, version, mode_bits, seccomp;
  uint64_t case_end, text_start, text_end;
};

void *memcpy(void *dst, const void *src, size_t n) {
  uint8_t *d = dst;
  const uint8_t *s = src;
  while (n--) *d++ = *s++;
  return dst;
}
void *memset(void *dst, int value, size_t n) {
  uint8_t *d = dst;
  while (n--) *d++ = (uint8_t)value;
  return dst;
}

static long sys(long nr, long a1, long a2, long a3) { return runner_syscall(nr, a1, a2, a3, 0, 0, 0); }

static void write_all(int fd, const void *data, size_t length) {
  const uint8_t *p = data;
  while (length > 0) {
    long n = sys(NR_write, fd, (long)p, (long)length);
    if (n == -4) continue; /* EINTR */
    if (n <= 0) runner_syscall(NR_exit_group, 4, 0, 0, 0, 0, 0);
    p += n;
    length -= (size_t)n;
  }
}

static size_t string_length(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

static void die(const char *message, uint64_t value) {
  char text[128];
  size_t n = string_length(message);
  if (n > 100) n = 100;
  memcpy(text, "vial oracle runner: ", 20);
  memcpy(text + 20, message, n);
  n += 20;
  text[n++] = ' ';
  text[n++] = '0';
  text[n++] = 'x';
  for (int shift = 60; shift >= 0; shift -= 4) text[n++] = "0123456789abcdef"[(value >> shift) & 15];
  text[n++] = '\n';
  write_all(2, text, n);
  runner_syscall(NR_exit_group, 3, 0, 0, 0, 0, 0);
  for (;;) {
  }
}

/* ---- buffered stdin/stdout: results are flushed only before we block on input ---- */
static uint8_t input_buffer[1 << 16];
static size_t input_position, input_length;
static uint8_t output_buffer[1 << 16];
static size_t output_length;

static void flush_output(void) {
  write_all(1, output_buffer, output_length);
  output_length = 0;
}

static void emit(const void *data, size_t length) {
  if (output_length + length > sizeof output_buffer) flush_output();
  if (length > sizeof output_buffer) {
    write_all(1, data, length);
    return;
  }
  memcpy(output_buffer + output_length, data, length);
  output_length += length;
}

/* Returns 0 at a clean end of input before the first byte, 1 when all bytes were read. */
static int read_input(void *destination, size_t length) {
  uint8_t *d = destination;
  size_t done = 0;
  while (done < length) {
    if (input_position == input_length) {
      flush_output();
      long n = sys(NR_read, 0, (long)input_buffer, sizeof input_buffer);
      if (n == -4) continue;
      if (n <= 0) {
        if (done == 0 && n == 0) return 0;
        die("input ended inside a message; bytes read:", done);
      }
      input_position = 0;
      input_length = (size_t)n;
    }
    size_t chunk = input_length - input_position;
    if (chunk > length - done) chunk = length - done;
    memcpy(d + done, input_buffer + input_position, chunk);
    input_position += chunk;
    done += chunk;
  }
  return 1;
}

static void skip_input(size_t length) {
  uint8_t scratch[256];
  while (length > 0) {
    size_t chunk = length < sizeof scratch ? length : sizeof scratch;
    read_input(scratch, chunk);
    length -= chunk;
  }
}

/* ---- signals ---- */
static volatile int case_running;
static volatile uint32_t case_serial, ticked_serial, ticks_in_case;
static uint32_t timeout_ticks;
static uint16_t runner_code_selector, runner_fs, runner_gs;
static struct result_header outcome;
static uint8_t alternate_stack[1 << 16] __attribute__((aligned(16)));

static int ip_in_runner(reg_t ip) { return ip >= (reg_t)__executable_start && ip < (reg_t)etext; }

static void on_signal(int signal, struct kernel_siginfo *info, void *raw_context) {
  struct kernel_ucontext *context = raw_context;
  struct kernel_mcontext *mc = &context->mc;
  /* Signals while the runner's own code runs (entry/exit stubs included) are not the case's doing. */
  int in_case = case_running && !ip_in_runner(CONTEXT_IP(mc));
  if (signal == SIGVTALRM_) {
    if (!in_case) return;
    if (ticked_serial != case_serial) {
      ticked_serial = case_serial;
      ticks_in_case = 0;
    }
    if (++ticks_in_case < timeout_ticks) return;
    outcome.status = STATUS_TIMEOUT;
  } else if (!in_case) {
    die(signal == SIGSYS_ ? "system call from outside a case at" : "unexpected signal in the runner at",
        CONTEXT_IP(mc));
  } else {
    outcome.status = signal == SIGSYS_ ? STATUS_SYSCALL : STATUS_FAULT;
  }
  case_running = 0;
  context_read_gprs(mc, case_exit_gprs);
  case_exit_flags = CONTEXT_FLAGS(mc);
  outcome.ip = CONTEXT_IP(mc);
  outcome.signal = (uint32_t)signal;
  outcome.signal_code = info->si_code;
  outcome.trap_number = (uint32_t)mc->trapno;
  outcome.error_code = (uint32_t)mc->err;
  outcome.cr2 = mc->cr2;
  outcome.signal_address = info->si_addr;
  outcome.detail = signal == SIGSYS_ ? info->si_syscall : 0;

  /* Resume the runner: sigreturn loads this rewritten context. */
  CONTEXT_IP(mc) = (reg_t)runner_resume_after_signal;
  CONTEXT_SP(mc) = runner_saved_sp;
  CONTEXT_FLAGS(mc) = 0x202; /* IF; DF clear as the C ABI requires */
  CONTEXT_CS(mc) = runner_code_selector;
#if defined(__i386__)
  mc->ds = mc->es = mc->ss = runner_data_selector;
  mc->fs = runner_fs;
  mc->gs = runner_gs;
#endif
}

static void install_handler(int signal) {
  struct kernel_sigaction action;
  memset(&action, 0, sizeof action);
  action.handler = on_signal;
  action.flags = SA_SIGINFO_ | SA_ONSTACK_ | SA_RESTART_ | SA_RESTORER_;
  action.restorer = runner_sigreturn;
  action.mask = 1ull << (SIGVTALRM_ - 1); /* no tick inside a fault handler */
  if (runner_syscall(NR_rt_sigaction, signal, (long)&action, 0, sizeof action.mask, 0, 0) != 0)
    die("rt_sigaction failed for signal", (uint64_t)signal);
}

static void install_signal_handling(uint32_t timeout_microseconds) {
  reg_t stack[3] = {(reg_t)alternate_stack, 0, sizeof alternate_stack};
  if (sys(NR_sigaltstack, (long)stack, 0, 0) != 0) die("sigaltstack failed", 0);
  int signals[] = {SIGILL_, SIGTRAP_, SIGBUS_, SIGFPE_, SIGSEGV_, SIGVTALRM_, SIGSYS_};
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) install_handler(signals[i]);
  /* A case times out after `timeout_ticks` ticks of its own CPU time; ticks of a quarter timeout. */
  uint32_t interval = timeout_microseconds / 4;
  if (interval < 1000) interval = 1000;
  timeout_ticks = 5;
  reg_t timer[4] = {0, interval, 0, interval}; /* it_interval, it_value as {sec, usec} */
  if (sys(NR_setitimer, ITIMER_VIRTUAL_, (long)timer, 0) != 0) die("setitimer failed", 0);
}

/* ---- seccomp: system calls only from our two system-call instructions ---- */
struct sock_filter_ {
  uint16_t code;
  uint8_t jt, jf;
  uint32_t k;
};
struct sock_fprog_ {
  uint16_t length;
  struct sock_filter_ *filter;
};
#define BPF_LOAD(offset) {0x20, 0, 0, (offset)}
#define BPF_JUMP_EQ(value, on_true, on_false) {0x15, (on_true), (on_false), (value)}
#define BPF_RETURN(value) {0x06, 0, 0, (value)}
#define RET_ALLOW 0x7fff0000u
#define RET_TRAP 0x00030000u

static int install_seccomp(void) {
  uint32_t syscall_return = (uint32_t)(reg_t)runner_syscall_return;
  uint32_t sigreturn_return = (uint32_t)(reg_t)runner_sigreturn_return;
  if ((uint64_t)(reg_t)etext >> 32) die("runner text must lie below 4 GiB; it is at", (reg_t)etext);
  /* Jump offsets count from the next instruction: TO_TRAP(i)/TO_ALLOW(i) reach indexes 16/17 from index i. */
#define TO_TRAP(i) (15 - (i))
#define TO_ALLOW(i) (16 - (i))
  struct sock_filter_ program[] = {
      BPF_LOAD(4),                                               /* 0: arch */
      BPF_JUMP_EQ(AUDIT_ARCH_NATIVE, 0, TO_TRAP(1)),             /* 1 */
      BPF_LOAD(12),                                              /* 2: instruction pointer, high half */
      BPF_JUMP_EQ(0, 0, TO_TRAP(3)),                             /* 3 */
      BPF_LOAD(8),                                               /* 4: instruction pointer, low half */
      BPF_JUMP_EQ(sigreturn_return, 0, 2),                       /* 5: from runner_sigreturn? else 8 */
      BPF_LOAD(0),                                               /* 6: nr */
      BPF_JUMP_EQ(NR_rt_sigreturn, TO_ALLOW(7), TO_TRAP(7)),     /* 7 */
      BPF_JUMP_EQ(syscall_return, 0, TO_TRAP(8)),                /* 8: from runner_syscall? */
      BPF_LOAD(0),                                               /* 9: nr */
      BPF_JUMP_EQ(NR_read, TO_ALLOW(10), 0),                     /* 10 */
      BPF_JUMP_EQ(NR_write, TO_ALLOW(11), 0),                    /* 11 */
      BPF_JUMP_EQ(NR_mmap, TO_ALLOW(12), 0),                     /* 12 */
      BPF_JUMP_EQ(NR_madvise, TO_ALLOW(13), 0),                  /* 13 */
      BPF_JUMP_EQ(NR_munmap, TO_ALLOW(14), 0),                   /* 14 */
      BPF_JUMP_EQ(NR_exit_group, TO_ALLOW(15), TO_TRAP(15)),     /* 15 */
      BPF_RETURN(RET_TRAP),                                      /* 16 */
      BPF_RETURN(RET_ALLOW),                                     /* 17 */
  };
  struct sock_fprog_ prog = {sizeof program / sizeof program[0], program};
  if (runner_syscall(NR_prctl, 38 /* PR_SET_NO_NEW_PRIVS */, 1, 0, 0, 0, 0) != 0) return 0;
  if (runner_syscall(NR_prctl, 22 /* PR_SET_SECCOMP */, 2 /* FILTER */, (long)&prog, 0, 0, 0) != 0) return 0;
  return 1;
}

/*
 * ---- case memory ----
 * Mapping and unmapping pages costs hundreds of microseconds on some virtual machines, so case pages
 * come from one memory file (memfd) that is also mapped read-write at a private "alias" address.
 * A case's page runs are mapped from the file with the case's protections and left in place; the next
 * case with the same layout reuses them, and its bytes are zeroed and written through the alias (so
 * even read-only and execute-only pages cost no system call). Runs the next case does not have are
 * unmapped first, so a case never sees another case's pages.
 */
struct installed_run {
  uint64_t address, length, pool_offset;
  uint32_t prot;
};
static struct page_run runs[MAX_RUNS];
static struct byte_range reads[MAX_READS];
static struct installed_run installed[MAX_RUNS];
static uint64_t run_pool_offsets[MAX_RUNS];
static uint32_t installed_count;
static int pool_fd;
static uint8_t *pool_alias;
static uint64_t pool_used;

static void create_pool(void) {
  pool_fd = (int)sys(NR_memfd_create, (long)"vial-oracle-pages", 1 /* MFD_CLOEXEC */, 0);
  if (pool_fd < 0) die("memfd_create failed:", (uint64_t)-pool_fd);
  if (sys(NR_ftruncate, pool_fd, (long)POOL_BYTES, 0) != 0) die("ftruncate of the page pool failed", 0);
  long alias = runner_syscall(NR_mmap, 0, (long)POOL_BYTES, PROT_READ_ | PROT_WRITE_, MAP_SHARED_, pool_fd, 0);
  if (alias < 0 && alias >= -4095) die("mapping the page pool failed:", (uint64_t)-alias);
  pool_alias = (uint8_t *)alias;
}

static void uninstall(uint32_t index) {
  sys(NR_munmap, (long)installed[index].address, (long)installed[index].length, 0);
  installed[index] = installed[--installed_count];
}

/* Forgets every installed run and returns the pool's memory to the system. */
static void reset_pool(void) {
  while (installed_count > 0) uninstall(installed_count - 1);
  runner_syscall(NR_madvise, (long)pool_alias, (long)POOL_BYTES, 9 /* MADV_REMOVE */, 0, 0, 0);
  pool_used = 0;
}

/* Makes exactly the case's runs mapped. Returns 0 and fills `outcome` when one cannot be mapped. */
static int install_runs(uint32_t run_count) {
  uint64_t total = 0;
  for (uint32_t i = 0; i < run_count; i++) total += runs[i].length;
  if (total > POOL_BYTES) {
    outcome.detail = -12; /* ENOMEM */
    outcome.detail_address = runs[0].address;
    return 0;
  }
  for (uint32_t k = installed_count; k-- > 0;) {
    int wanted = 0;
    for (uint32_t i = 0; i < run_count && !wanted; i++)
      wanted = runs[i].address == installed[k].address && runs[i].length == installed[k].length &&
               runs[i].prot == installed[k].prot;
    if (!wanted) uninstall(k);
  }
  for (uint32_t i = 0; i < run_count; i++) {
    uint32_t k = 0;
    while (k < installed_count && installed[k].address != runs[i].address) k++;
    if (k < installed_count) {
      run_pool_offsets[i] = installed[k].pool_offset;
      continue;
    }
    if (pool_used + runs[i].length > POOL_BYTES) {
      reset_pool();
      return install_runs(run_count);
    }
    long got = runner_syscall(NR_mmap, (long)runs[i].address, (long)runs[i].length, (long)runs[i].prot,
                              MAP_SHARED_ | MAP_FIXED_NOREPLACE_, pool_fd, MMAP_OFFSET(pool_used));
    if ((uint64_t)(reg_t)got != runs[i].address) {
      /* Kernels before 4.17 ignore MAP_FIXED_NOREPLACE and may place the mapping elsewhere. */
      if (got > 0 || got < -4095) sys(NR_munmap, got, (long)runs[i].length, 0);
      outcome.detail = (got < 0 && got >= -4095) ? got : -17 /* EEXIST */;
      outcome.detail_address = runs[i].address;
      return 0;
    }
    installed[installed_count++] = (struct installed_run){runs[i].address, runs[i].length, pool_used, runs[i].prot};
    run_pool_offsets[i] = pool_used;
    pool_used += runs[i].length;
  }
  return 1;
}

/* Index of the run holding `address`, or -1. */
static int run_holding(uint64_t address, uint32_t run_count) {
  for (uint32_t i = 0; i < run_count; i++)
    if (address - runs[i].address < runs[i].length) return (int)i;
  return -1;
}

/* True when [address, address + length) lies inside the runs (possibly across adjacent runs). */
static int inside_runs(uint64_t address, uint64_t length, uint32_t run_count) {
  while (length > 0) {
    int i = run_holding(address, run_count);
    if (i < 0) return 0;
    uint64_t chunk = runs[i].address + runs[i].length - address;
    if (chunk > length) chunk = length;
    address += chunk;
    length -= chunk;
  }
  return 1;
}

/* Reads `length` input bytes into case memory through the alias. */
static void read_into_case(uint64_t address, uint64_t length, uint32_t run_count) {
  while (length > 0) {
    int i = run_holding(address, run_count);
    uint64_t chunk = runs[i].address + runs[i].length - address;
    if (chunk > length) chunk = length;
    read_input(pool_alias + run_pool_offsets[i] + (address - runs[i].address), (size_t)chunk);
    address += chunk;
    length -= chunk;
  }
}

/* ---- one case ---- */
static int run_one_case(void) {
  struct case_header header;
  if (!read_input(&header, sizeof header)) return 0;
  if (header.magic != MAGIC_CASE) die("bad case magic", header.magic);
  if (header.run_count > MAX_RUNS || header.read_count > MAX_READS) die("too many runs or reads", 0);
  read_input(runs, header.run_count * sizeof runs[0]);
  read_input(reads, header.read_count * sizeof reads[0]);
  for (uint32_t i = 0; i < header.run_count; i++)
    if ((runs[i].address | runs[i].length) % PAGE_SIZE || runs[i].length == 0) die("unaligned run at", runs[i].address);
  for (uint32_t i = 0; i < header.read_count; i++)
    if (!inside_runs(reads[i].address, reads[i].length, header.run_count)) die("read outside runs at", reads[i].address);

  memset(&outcome, 0, sizeof outcome);
  memset(case_exit_gprs, 0, sizeof case_exit_gprs);
  case_exit_flags = 0;
  int loaded = install_runs(header.run_count);
  if (loaded) {
    for (uint32_t i = 0; i < header.run_count; i++) memset(pool_alias + run_pool_offsets[i], 0, (size_t)runs[i].length);
  }
  for (uint32_t i = 0; i < header.write_count; i++) {
    struct byte_range write;
    read_input(&write, sizeof write);
    size_t padded = (write.length + 7u) & ~7u;
    if (!inside_runs(write.address, write.length, header.run_count)) die("write outside runs at", write.address);
    if (loaded) {
      read_into_case(write.address, write.length, header.run_count);
      skip_input(padded - write.length);
    } else {
      skip_input(padded);
    }
  }

  if (loaded) {
    outcome.status = STATUS_COMPLETED;
    case_serial++;
    case_running = 1;
    runner_enter_case(&header.entry);
    case_running = 0;
  } else {
    outcome.status = STATUS_REJECTED;
  }

  outcome.magic = MAGIC_RESULT;
  memcpy(outcome.gprs, case_exit_gprs, sizeof outcome.gprs);
  outcome.flags = case_exit_flags;
  emit(&outcome, sizeof outcome);
  static const uint8_t zeros[8];
  for (uint32_t i = 0; i < header.read_count; i++) {
    /* Case pages are always readable, so reading back through them never faults. */
    if (loaded) {
      emit((const void *)(reg_t)reads[i].address, reads[i].length);
    } else {
      for (uint32_t left = reads[i].length; left > 0; left -= left < 8 ? left : 8) emit(zeros, left < 8 ? left : 8);
    }
    emit(zeros, ((reads[i].length + 7u) & ~7u) - reads[i].length);
  }
  return 1;
}

static uint32_t parse_decimal(const char *text) {
  uint32_t value = 0;
  while (*text >= '0' && *text <= '9') value = value * 10 + (uint32_t)(*text++ - '0');
  return value;
}

/* argv: runner <timeout-microseconds> [--without-seccomp] */
void runner_main(reg_t *initial_stack) {
  reg_t argc = initial_stack[0];
  char **argv = (char **)(initial_stack + 1);
  uint32_t timeout = argc > 1 ? parse_decimal(argv[1]) : 100000;
  int allow_without_seccomp = argc > 2 && argv[2][0] == '-' && argv[2][2] == 'w';

  __asm__ volatile("mov %%cs, %0" : "=r"(runner_code_selector));
  __asm__ volatile("mov %%ds, %0" : "=r"(runner_data_selector));
  __asm__ volatile("mov %%fs, %0" : "=r"(runner_fs));
  __asm__ volatile("mov %%gs, %0" : "=r"(runner_gs));
  install_signal_handling(timeout);
  create_pool();
  int seccomp = install_seccomp();
  if (!seccomp && !allow_without_seccomp) die("could not install the seccomp filter", 0);

  struct ready_message ready = {MAGIC_READY, PROTOCOL_VERSION, (uint32_t)sizeof(reg_t) * 8, (uint32_t)seccomp,
                                (reg_t)runner_case_end, (reg_t)__executable_start, (reg_t)etext};
  emit(&ready, sizeof ready);
  flush_output();
  while (run_one_case()) {
  }
  flush_output();
  runner_syscall(NR_exit_group, 0, 0, 0, 0, 0, 0);
}
