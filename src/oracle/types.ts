/**
 * The data the host-CPU oracle takes and returns. See src/oracle/index.ts for the overview.
 */
import { quadwordRegisters } from '../isa/registers.js';

/** Execution mode of a runner: 64-bit long mode or 32-bit protected (compatibility) mode. */
export type OracleMode = 32 | 64;

/**
 * General-purpose register names. Both modes use the 64-bit names: in 32-bit mode `rax` means EAX
 * (inputs are truncated to their low 32 bits, outputs are zero-extended) and `r8`–`r15` do not exist
 * (setting one is an error; they read back as 0).
 */
export type RegisterName =
  | 'rax'
  | 'rcx'
  | 'rdx'
  | 'rbx'
  | 'rsp'
  | 'rbp'
  | 'rsi'
  | 'rdi'
  | 'r8'
  | 'r9'
  | 'r10'
  | 'r11'
  | 'r12'
  | 'r13'
  | 'r14'
  | 'r15';

/** The registers in encoding order (the order of the wire format and of ModRM register numbers). */
export const REGISTER_NAMES: readonly RegisterName[] = quadwordRegisters;

/** A block of memory a case starts with; it is read back after the case. */
export interface NativeMemoryRegion {
  readonly address: bigint;
  readonly bytes: Uint8Array;
  /** Default true. A store into a read-only region faults (#PF, access `write`). */
  readonly writable?: boolean;
}

/** One piece of code to run natively, with the state it starts from. */
export interface NativeCase {
  /**
   * Whole instructions. The runner appends a jump back to itself right after them
   * (64-bit: `jmp [rip+0]` + 8-byte address; 32-bit: `jmp rel32`), so reaching
   * `codeAddress + code.length` ends the case with status `completed`.
   */
  readonly code: Uint8Array;
  /** Where the code is mapped (read + execute, not writable). Default {@link DEFAULT_CODE_ADDRESS}. */
  readonly codeAddress?: bigint;
  /** Registers not given start as 0. */
  readonly registers?: Partial<Record<RegisterName, bigint>>;
  /**
   * Starting RFLAGS. Only the status flags (CF PF AF ZF SF OF), DF, IF and reserved bit 1 may be
   * given (IF cannot change in user mode and is ignored); TF, AC and the rest are refused, because
   * single-stepping or alignment checking would change what the case means. Default 0x202.
   */
  readonly rflags?: bigint;
  /**
   * Memory the case may touch. Every page a region or the code touches is mapped, and bytes of those
   * pages outside the regions are 0. Regions must not overlap each other or the code; regions that
   * share a page must agree on `writable`. A page shared by the code and a writable region is
   * mapped read-write-execute. Nothing else is mapped near the case: other accesses fault.
   */
  readonly memory?: readonly NativeMemoryRegion[];
}

/** Default address of a case's code in both modes (above the usual `vm.mmap_min_addr` of 64 KiB). */
export const DEFAULT_CODE_ADDRESS = 0x10000n;

/** Exception vectors the oracle can report (Intel SDM Vol. 3A, Table 6-1). */
export type FaultVector =
  | '#DE'
  | '#DB'
  | '#BP'
  | '#OF'
  | '#BR'
  | '#UD'
  | '#NM'
  | '#TS'
  | '#NP'
  | '#SS'
  | '#GP'
  | '#PF'
  | '#MF'
  | '#AC'
  | '#XM';

/** A processor exception raised by the case, as Linux delivered it to the runner. */
export interface NativeFault {
  readonly vector: FaultVector;
  /**
   * Address of the instruction that raised it. For faults this is where the CPU stopped (`rip`);
   * for the trap-class `#BP` (int3, int 3), `#OF` (into, int 4) and `#DB` from icebp (F1) the CPU
   * stops after the instruction, and this is found by looking back at the code bytes. A single-step
   * `#DB` (TF set by the case itself) is reported at `rip`.
   */
  readonly address: bigint;
  /** #PF only: the linear address that could not be accessed (CR2). */
  readonly pageFaultAddress?: bigint;
  /** #PF only: the kind of access, from the page-fault error code (W/R bit 1, I/D bit 4). */
  readonly access?: 'read' | 'write' | 'execute';
  /** The error code the CPU pushed (#GP, #SS, #PF, #AC, …); 0 when the vector has none. */
  readonly errorCode: number;
  /** How Linux reported it, for diagnostics: signal name, si_code, trap number. */
  readonly signal: string;
  readonly signalCode: number;
  readonly trapNumber: number;
}

/**
 * How a case ended.
 * - `completed`: execution reached the end of the code;
 * - `fault`: the CPU raised an exception ({@link NativeResult.fault});
 * - `timeout`: the case used its whole CPU-time budget (e.g. `jmp $`);
 * - `syscall`: the case tried a system call (`syscall`, `sysenter`, `int 0x80`), which was blocked;
 * - `rejected`: the case's memory could not be mapped (e.g. the address is taken by the runner itself);
 * - `crashed`: the runner process died during the case (it was restarted for the next one).
 */
export type NativeStatus = 'completed' | 'fault' | 'timeout' | 'syscall' | 'rejected' | 'crashed';

/** The state after a case. */
export interface NativeResult {
  readonly status: NativeStatus;
  /** All general-purpose registers (32-bit mode: zero-extended; r8–r15 read 0). */
  readonly registers: Readonly<Record<RegisterName, bigint>>;
  /**
   * RFLAGS as the CPU left it (all bits, including reserved bit 1 and IF). On a fault these are
   * the flags before the faulting instruction, as the signal context reports them.
   */
  readonly rflags: bigint;
  /** Where execution stopped: the end of the code, the faulting instruction, or where a timeout hit. */
  readonly rip: bigint;
  /** The case's memory regions read back, in the order given. */
  readonly memory: readonly { readonly address: bigint; readonly bytes: Uint8Array }[];
  readonly fault: NativeFault | null;
  /** For status `syscall`: the blocked system call's number and the address of its instruction. */
  readonly syscall?: { readonly number: number; readonly address: bigint };
  /** For `rejected` and `crashed`: what went wrong. */
  readonly message?: string;
}

/** Options of {@link HostOracle} creation. */
export interface HostOracleOptions {
  readonly mode: OracleMode;
  /**
   * CPU-time budget of one case in milliseconds (default 50). The runner checks it on a periodic
   * user-CPU-time tick, so a runaway case ends after between 1 and 1.25 times this budget.
   */
  readonly timeoutMs?: number;
}

/** Whether the host can serve as an oracle, and if not, why. */
export interface OracleAvailability {
  readonly available: boolean;
  /** Why not (a sentence a person can act on). */
  readonly reason?: string;
  /**
   * What stands in the way: `platform` (not x86-64 Linux), `toolchain` (gcc or ld missing),
   * `build` (the runner did not compile), `kernel` (the runner cannot run: e.g. no 32-bit user mode).
   * `platform` and `kernel` cannot be fixed by installing packages.
   */
  readonly cause?: 'platform' | 'toolchain' | 'build' | 'kernel';
}
