/**
 * The host CPU as an oracle: runs cases natively through a long-lived runner process per oracle,
 * restarting it if a case kills it.
 */
import { execFileSync } from 'node:child_process';
import { ensureRunnerBinary } from './build.js';
import { classifyFault } from './faults.js';
import { initialByte, type PreparedCase, terminatorBytes } from './layout.js';
import { type RawResult, RunnerStatus } from './protocol.js';
import { createRunnerOracle, type HostOracle, memoryFrom, registersFrom } from './runner-oracle.js';
import { RunnerProcess } from './runner-process.js';
import type { HostOracleOptions, NativeResult, OracleAvailability, OracleMode } from './types.js';

/** A running oracle. Cases of one `run` go through the runner's pipe as one batch. */
export type { HostOracle } from './runner-oracle.js';

const DEFAULT_TIMEOUT_MS = 50;
/** How long a silent runner is given before it is presumed hung (every case is bounded by its timeout). */
const STALL_ALLOWANCE_MS = 5000;

const ERRNO_EXPLANATIONS: Readonly<Record<number, string>> = {
  1: 'EPERM: the address is below vm.mmap_min_addr',
  12: 'ENOMEM: the address range is not available',
  17: "EEXIST: the address is taken (by the runner's own memory)",
  22: 'EINVAL: the address range is invalid',
};

let toolCheck: OracleAvailability | undefined;

/**
 * Whether this host can run the oracle at all: x86-64 Linux with gcc and ld. It does not build or
 * start anything, so it cannot tell whether 32-bit code can run here; {@link probeHostOracle} can.
 */
export function hostOracleAvailability(): OracleAvailability {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return {
      available: false,
      cause: 'platform',
      reason: `the host-CPU oracle needs x86-64 Linux; this is ${process.platform}/${process.arch}`,
    };
  }
  toolCheck ??= checkToolchain();
  return toolCheck;
}

function checkToolchain(): OracleAvailability {
  for (const [tool, packageName] of [
    ['gcc', 'gcc'],
    ['ld', 'binutils'],
  ]) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      return {
        available: false,
        cause: 'toolchain',
        reason: `the host-CPU oracle builds its runner with gcc and ld, and '${tool}' was not found (Debian: apt-get install ${packageName})`,
      };
    }
  }
  return { available: true };
}

const probes = new Map<OracleMode, Promise<OracleAvailability>>();

/**
 * Whether the oracle works here in `mode`, found by building the runner and running one case
 * (`nop`). The answer is cached for the life of the process.
 */
export function probeHostOracle(mode: OracleMode): Promise<OracleAvailability> {
  let probe = probes.get(mode);
  if (!probe) {
    probe = probeOnce(mode);
    probes.set(mode, probe);
  }
  return probe;
}

async function probeOnce(mode: OracleMode): Promise<OracleAvailability> {
  const basic = hostOracleAvailability();
  if (!basic.available) return basic;
  try {
    await ensureRunnerBinary(mode);
  } catch (error) {
    return { available: false, cause: 'build', reason: (error as Error).message };
  }
  let oracle: HostOracle | undefined;
  try {
    oracle = await createHostOracle({ mode });
    const [result] = await oracle.run([{ code: Uint8Array.of(0x90) }]);
    if (result.status !== 'completed') throw new Error(`a nop case ended with status ${result.status}`);
    return { available: true };
  } catch (error) {
    const explanation =
      mode === 32
        ? 'this host cannot run 32-bit x86 user code (the kernel has no IA-32 emulation, or the hypervisor has no compatibility mode)'
        : 'the 64-bit runner does not work on this host';
    return { available: false, cause: 'kernel', reason: `${explanation}: ${(error as Error).message}` };
  } finally {
    await oracle?.close();
  }
}

/**
 * Starts an oracle: builds the runner if needed (about a second with gcc, once per source
 * change) and starts it.
 * @throws Error if the host cannot run it (see {@link hostOracleAvailability}) or the runner fails.
 */
export async function createHostOracle(options: HostOracleOptions): Promise<HostOracle> {
  const { mode } = options;
  if (mode !== 32 && mode !== 64) throw new Error(`mode must be 32 or 64, not ${String(mode)}`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0 && timeoutMs <= 60_000))
    throw new Error(`timeoutMs must be in (0, 60000], not ${timeoutMs}`);
  const availability = hostOracleAvailability();
  if (!availability.available) throw new Error(availability.reason);
  const binary = await ensureRunnerBinary(mode);
  const args = [String(Math.round(timeoutMs * 1000))];
  const start = async () => {
    const runner = await RunnerProcess.start(binary, args);
    if (runner.ready.modeBits !== mode)
      throw new Error(`the ${mode}-bit runner reports ${runner.ready.modeBits} bits`);
    return runner;
  };
  const first = await start();
  const caseEnd = first.ready.caseEnd;
  const sharedTerminator = terminatorBytes(64, 0n, caseEnd);
  let started: RunnerProcess | undefined = first;
  return createRunnerOracle({
    mode,
    name: 'host oracle',
    // The first runner is already up (its ready message gave caseEnd); later ones start fresh.
    start: async () => {
      const runner = started ?? (await start());
      started = undefined;
      return runner;
    },
    terminator:
      mode === 64 ? () => sharedTerminator : (codeEnd: bigint) => terminatorBytes(32, codeEnd, caseEnd),
    stallMs: STALL_ALLOWANCE_MS + 2 * timeoutMs,
    interpret: interpretResult,
    crashed: crashedResult,
  });
}

/** Gives a raw runner result its meaning. */
function interpretResult(prepared: PreparedCase, raw: RawResult): NativeResult {
  const common = {
    registers: registersFrom(raw.gprs),
    rflags: raw.flags,
    memory: memoryFrom(prepared, raw.reads),
  };
  switch (raw.status) {
    case RunnerStatus.completed:
      return {
        status: 'completed',
        registers: common.registers,
        rflags: common.rflags,
        rip: prepared.codeEnd,
        memory: common.memory,
        fault: null,
      };
    case RunnerStatus.fault:
      return {
        ...common,
        status: 'fault',
        rip: raw.ip,
        fault: classifyFault(raw, (address) => initialByte(prepared, address)),
      };
    case RunnerStatus.timeout:
      return { ...common, status: 'timeout', rip: raw.ip, fault: null };
    case RunnerStatus.syscall:
      return {
        ...common,
        status: 'syscall',
        rip: raw.ip,
        fault: null,
        // The kernel reports the address after the 2-byte syscall / sysenter / int 0x80.
        syscall: { number: Number(raw.detail), address: raw.signalAddress - 2n },
      };
    case RunnerStatus.rejected: {
      const errno = Number(-raw.detail);
      return {
        ...common,
        status: 'rejected',
        rip: prepared.entry,
        fault: null,
        message: `could not map the pages at 0x${raw.detailAddress.toString(16)}: ${ERRNO_EXPLANATIONS[errno] ?? `errno ${errno}`}`,
      };
    }
    default:
      throw new Error(`the oracle runner sent unknown status ${raw.status}`);
  }
}

function crashedResult(prepared: PreparedCase, failure: string): NativeResult {
  return {
    status: 'crashed',
    registers: registersFrom(new Array<bigint>(16).fill(0n)),
    rflags: 0n,
    rip: prepared.entry,
    memory: prepared.reads.map((read) => ({
      address: BigInt(read.address),
      bytes: new Uint8Array(read.length),
    })),
    fault: null,
    message: failure,
  };
}
