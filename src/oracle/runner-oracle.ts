/**
 * What every oracle backed by a runner process shares (the host-CPU runner and the Unicorn runner):
 * batching cases through one long-lived process, queuing concurrent `run` calls, restarting the
 * runner after a case kills it, and turning raw registers and memory reads into result fields.
 */
import type { PreparedCase } from './layout.js';
import { prepareCase } from './layout.js';
import type { RawResult } from './protocol.js';
import type { RunnerProcess } from './runner-process.js';
import type { NativeCase, NativeResult, OracleMode, RegisterName } from './types.js';

/** An oracle: runs cases in order, one result each. */
export interface HostOracle {
  readonly mode: OracleMode;
  /**
   * Runs the cases in order and returns one result each. Concurrent calls are queued.
   * @throws OracleCaseError (before anything runs) if a case is malformed.
   */
  run(cases: readonly NativeCase[]): Promise<NativeResult[]>;
  /** Stops the runner. Further `run` calls fail. */
  close(): Promise<void>;
}

/** How a particular runner is started and its results read. */
export interface RunnerOracleParts {
  readonly mode: OracleMode;
  /** Used in error messages ("this host oracle is closed"). */
  readonly name: string;
  /** Starts a fresh runner process (checked for the right mode). */
  readonly start: () => Promise<RunnerProcess>;
  /** The bytes appended after a case's code to come back to the runner. */
  readonly terminator: (codeEnd: bigint) => Uint8Array;
  /** How long a silent runner is given before it is presumed hung. */
  readonly stallMs: number;
  /** Gives a raw result its meaning. */
  readonly interpret: (prepared: PreparedCase, raw: RawResult) => NativeResult;
  /** The result of the case during which the runner died. */
  readonly crashed: (prepared: PreparedCase, failure: string) => NativeResult;
}

/** Builds a {@link HostOracle} around a runner process. */
export async function createRunnerOracle(parts: RunnerOracleParts): Promise<HostOracle> {
  const { mode, start, terminator, stallMs, interpret, crashed } = parts;
  let runner: RunnerProcess | undefined = await start();
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const runBatch = async (cases: readonly NativeCase[]): Promise<NativeResult[]> => {
    const prepared = cases.map((testCase) => prepareCase(mode, testCase, terminator));
    const results: NativeResult[] = [];
    while (results.length < prepared.length) {
      if (!runner?.alive) runner = await start();
      const rest = prepared.slice(results.length);
      const outcome = await runner.execute(rest, stallMs);
      for (const [index, raw] of outcome.results.entries()) results.push(interpret(rest[index], raw));
      if (outcome.failure !== undefined) {
        // The case that was running killed the runner: report it, and go on with a fresh one.
        results.push(crashed(rest[outcome.results.length], outcome.failure));
        await runner.close();
        runner = undefined;
      }
    }
    return results;
  };

  return {
    mode,
    run(cases) {
      if (closed) return Promise.reject(new Error(`this ${parts.name} is closed`));
      const batch = queue.then(() => runBatch(cases));
      queue = batch.catch(() => {});
      return batch;
    },
    async close() {
      closed = true;
      await queue;
      await runner?.close();
      runner = undefined;
    },
  };
}

/** The sixteen registers of a raw result, by name. */
export function registersFrom(gprs: readonly bigint[]): Record<RegisterName, bigint> {
  // A literal, not Object.fromEntries: this runs for every result and must not allocate needlessly.
  const [rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15] = gprs;
  return { rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15 };
}

/** The case's memory regions as read back after it ran. */
export function memoryFrom(prepared: PreparedCase, reads: readonly Uint8Array[]): NativeResult['memory'] {
  return prepared.reads.map((read, index) => ({ address: BigInt(read.address), bytes: reads[index] }));
}
