/**
 * vial/oracle — the host CPU as an oracle (Node-only; never imported by the core entry point).
 *
 * Runs machine code on the real processor from a given register/flag/memory state and returns the
 * state it ends in, so the VM can be checked against silicon:
 *
 * ```ts
 * const oracle = await createHostOracle({ mode: 64 });
 * const [result] = await oracle.run([{ code: Uint8Array.of(0x01, 0xd8), registers: { rax: 1n, rbx: 2n } }]);
 * result.registers.rax; // 3n
 * await oracle.close();
 * ```
 *
 * How it works: a small freestanding runner (native/runner.c + native/stubs-*.S, built with gcc and
 * ld on first use and cached) runs as one long-lived process per oracle. Cases stream through its
 * stdin as one batch per `run` call; for each case it maps the pages (from a reusable page pool, so
 * a batch of cases with one memory layout maps nothing per case), loads the registers and
 * flags, jumps to the code and comes back either through a jump appended after the code or through a
 * signal handler (faults), which records the signal context and resumes the runner. A seccomp
 * filter turns any system call made by case code into a reported `syscall` stop; a user-CPU-time
 * tick turns runaway code into a `timeout`. If a case still manages to kill the runner (say, by
 * scribbling over the runner's own memory), that case is reported `crashed` and a fresh runner
 * takes the rest of the batch.
 *
 * Measurements and host quirks: docs/host-cpu.md.
 *
 * Not covered: x87/SSE/AVX registers (the runner resets the x87 and MXCSR control state before every
 * case but reports only general registers and RFLAGS), segment registers, and code that deliberately
 * aims at the runner's own memory.
 */
export { RunnerBuildError } from './build.js';
export { classifyFault, signalName } from './faults.js';
export { createHostOracle, type HostOracle, hostOracleAvailability, probeHostOracle } from './host-oracle.js';
export { OracleCaseError, SETTABLE_RFLAGS, terminatorBytes } from './layout.js';
export {
  DEFAULT_CODE_ADDRESS,
  type FaultVector,
  type HostOracleOptions,
  type NativeCase,
  type NativeFault,
  type NativeMemoryRegion,
  type NativeResult,
  type NativeStatus,
  type OracleAvailability,
  type OracleMode,
  REGISTER_NAMES,
  type RegisterName,
} from './types.js';
export {
  createUnicornOracle,
  DEFAULT_INSTRUCTION_LIMIT,
  DEFAULT_UNICORN_PYTHON,
  type UnicornOracleOptions,
  unicornOracleAvailability,
  unicornPython,
} from './unicorn-oracle.js';
