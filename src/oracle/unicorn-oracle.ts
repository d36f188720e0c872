/**
 * Unicorn (QEMU's x86 CPU emulator, through Debian's python3-unicorn) as the oracle where the host
 * CPU cannot run a case — above all 32-bit code on a host without 32-bit user mode — and as a
 * second opinion in 64-bit mode.
 *
 * The runner (native/unicorn_runner.py) is one long-lived Python process per oracle that speaks the
 * host runner's binary protocol (protocol.ts), so cases are checked and laid out by the same
 * {@link prepareCase} and streamed by the same {@link RunnerProcess}. It runs each case at CPL 3 from
 * `codeAddress` until `codeAddress + code.length` (Unicorn's `until`) with an instruction budget.
 * How Unicorn's answers differ from silicon: docs/host-cpu.md, "Unicorn as the 32-bit oracle".
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findRunnerSources } from './build.js';
import { classifyFault } from './faults.js';
import { initialByte, type PreparedCase, terminatorBytes } from './layout.js';
import { type RawResult, RunnerStatus } from './protocol.js';
import { createRunnerOracle, type HostOracle, memoryFrom, registersFrom } from './runner-oracle.js';
import { RunnerProcess } from './runner-process.js';
import type { NativeFault, NativeResult, OracleAvailability, OracleMode } from './types.js';

/** The Python that has Debian's python3-unicorn (a pyenv or venv Python does not see it). */
export const DEFAULT_UNICORN_PYTHON = '/usr/bin/python3';
/** Instructions one case may execute before it ends as `timeout` (a `jmp $` costs about 3 ms). */
export const DEFAULT_INSTRUCTION_LIMIT = 1_000_000;

const RUNNER_SCRIPT = 'unicorn_runner.py';
/** Every case is bounded by its instruction budget, so a silent runner is hung. */
const STALL_MS = 10_000;
/**
 * The host runner's jump-back bytes (aimed at address 0) go after the code too, although the runner
 * stops at the code's end before running them: so a case is valid, and maps the same pages, exactly
 * when it is for the host oracle.
 */
const TERMINATOR_64 = terminatorBytes(64, 0n, 0n);
const terminatorFor = (mode: OracleMode) =>
  mode === 64 ? () => TERMINATOR_64 : (codeEnd: bigint) => terminatorBytes(32, codeEnd, 0n);

/** Unicorn's error numbers (uc_err in unicorn.h), for fault diagnostics. */
const UNICORN_ERRORS: Readonly<Record<number, string>> = {
  6: 'UC_ERR_READ_UNMAPPED',
  7: 'UC_ERR_WRITE_UNMAPPED',
  8: 'UC_ERR_FETCH_UNMAPPED',
  10: 'UC_ERR_INSN_INVALID',
  12: 'UC_ERR_WRITE_PROT',
  13: 'UC_ERR_READ_PROT',
  14: 'UC_ERR_FETCH_PROT',
};

/** Options of {@link createUnicornOracle}. */
export interface UnicornOracleOptions {
  readonly mode: OracleMode;
  /** Instructions per case before `timeout` (default {@link DEFAULT_INSTRUCTION_LIMIT}). */
  readonly instructionLimit?: number;
}

/** The Python interpreter used: `$VIAL_UNICORN_PYTHON`, else {@link DEFAULT_UNICORN_PYTHON}. */
export function unicornPython(): string {
  return process.env.VIAL_UNICORN_PYTHON || DEFAULT_UNICORN_PYTHON;
}

const availabilityByPython = new Map<string, OracleAvailability>();

/**
 * Whether the Unicorn oracle can run here: the runner script is found and the Python interpreter
 * ({@link unicornPython}) imports `unicorn`. Cached per interpreter for the life of the process.
 */
export function unicornOracleAvailability(): OracleAvailability {
  const python = unicornPython();
  let answer = availabilityByPython.get(python);
  if (!answer) {
    answer = checkUnicorn(python);
    availabilityByPython.set(python, answer);
  }
  return answer;
}

function runnerScript(): string | undefined {
  const folder = findRunnerSources();
  const script = folder && join(folder, RUNNER_SCRIPT);
  return script && existsSync(script) ? script : undefined;
}

function checkUnicorn(python: string): OracleAvailability {
  if (!runnerScript()) {
    return {
      available: false,
      cause: 'build',
      reason: `the Unicorn runner (src/oracle/native/${RUNNER_SCRIPT}) was not found next to the oracle module`,
    };
  }
  try {
    execFileSync(python, ['-c', 'import unicorn'], { stdio: 'ignore', timeout: 20_000 });
    return { available: true };
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      available: false,
      cause: 'toolchain',
      reason: missing
        ? `no Python at ${python} (set VIAL_UNICORN_PYTHON to a Python 3 that has the unicorn module)`
        : `${python} cannot import unicorn (Debian: apt-get install python3-unicorn; pyenv and venv Pythons do not see Debian's packages, so point VIAL_UNICORN_PYTHON at /usr/bin/python3)`,
    };
  }
}

/**
 * Starts a Unicorn oracle with the {@link HostOracle} interface: cases, validation and result shapes
 * are those of the host oracle. Differences: `fault.signal` names the Unicorn error or interrupt
 * instead of a Linux signal (`signalCode` is the Unicorn error number, 0 for an interrupt),
 * `timeout` means the instruction budget ran out, and RF is never set in fault results.
 * @throws Error if Unicorn is not available (see {@link unicornOracleAvailability}) or the runner
 *   fails to start.
 */
export async function createUnicornOracle(options: UnicornOracleOptions): Promise<HostOracle> {
  const { mode } = options;
  if (mode !== 32 && mode !== 64) throw new Error(`mode must be 32 or 64, not ${String(mode)}`);
  const limit = options.instructionLimit ?? DEFAULT_INSTRUCTION_LIMIT;
  if (!(Number.isInteger(limit) && limit > 0 && limit <= 1e10)) {
    throw new Error(`instructionLimit must be a positive integer up to 1e10, not ${limit}`);
  }
  const availability = unicornOracleAvailability();
  const script = runnerScript();
  if (!availability.available || !script) throw new Error(availability.reason);
  const start = async () => {
    const runner = await RunnerProcess.start(unicornPython(), [script, String(mode), String(limit)]);
    if (runner.ready.modeBits !== mode)
      throw new Error(`the ${mode}-bit Unicorn runner reports ${runner.ready.modeBits} bits`);
    return runner;
  };
  return createRunnerOracle({
    mode,
    name: 'Unicorn oracle',
    start,
    terminator: terminatorFor(mode),
    stallMs: STALL_MS,
    interpret: interpretResult,
    crashed: (prepared, failure) => emptyResult(prepared, 'crashed', failure),
  });
}

/** The vector and addresses as the host oracle reports them, with Unicorn's reason as the "signal". */
function faultFrom(prepared: PreparedCase, raw: RawResult): NativeFault {
  const fault = classifyFault(raw, (address) => initialByte(prepared, address));
  const code = raw.signalCode;
  const reason =
    code === 0 ? `interrupt ${raw.trapNumber}` : (UNICORN_ERRORS[code] ?? `Unicorn error ${code}`);
  return { ...fault, signal: `unicorn: ${reason}` };
}

/** Gives a raw Unicorn runner result its meaning (field use: the runner's module docstring). */
function interpretResult(prepared: PreparedCase, raw: RawResult): NativeResult {
  const registers = registersFrom(raw.gprs);
  const memory = memoryFrom(prepared, raw.reads);
  const common = { registers, rflags: raw.flags, memory };
  switch (raw.status) {
    case RunnerStatus.completed:
      return { status: 'completed', ...common, rip: prepared.codeEnd, fault: null };
    case RunnerStatus.fault:
      return { status: 'fault', ...common, rip: raw.ip, fault: faultFrom(prepared, raw) };
    case RunnerStatus.timeout:
      return { status: 'timeout', ...common, rip: raw.ip, fault: null };
    case RunnerStatus.syscall:
      return {
        status: 'syscall',
        ...common,
        rip: raw.ip,
        fault: null,
        syscall: { number: Number(raw.detail), address: raw.signalAddress - 2n },
      };
    case RunnerStatus.rejected:
      return emptyResult(
        prepared,
        'rejected',
        `could not map the pages at 0x${raw.detailAddress.toString(16)}: the Unicorn runner reserves that page (or Unicorn refused the mapping)`,
      );
    default:
      throw new Error(`the Unicorn runner sent unknown status ${raw.status}`);
  }
}

function emptyResult(prepared: PreparedCase, status: 'crashed' | 'rejected', message: string): NativeResult {
  return {
    status,
    registers: registersFrom(status === 'rejected' ? prepared.gprs : new Array<bigint>(16).fill(0n)),
    rflags: status === 'rejected' ? prepared.rflags : 0n,
    rip: prepared.entry,
    memory: prepared.reads.map((read) => ({
      address: BigInt(read.address),
      bytes: new Uint8Array(read.length),
    })),
    fault: null,
    message,
  };
}
