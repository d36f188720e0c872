/**
 * One running runner program: starts it, streams batches of encoded cases into its stdin and cuts
 * its stdout into results. Knows nothing about what the cases mean.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import type { PreparedCase } from './layout.js';
import {
  decodeReadyMessage,
  decodeResult,
  encodeCases,
  MessageReader,
  type RawResult,
  READY_MESSAGE_SIZE,
  type ReadyMessage,
  resultSize,
} from './protocol.js';

const START_TIMEOUT_MS = 15_000;
const STDERR_KEPT = 4096;
/** Cases encoded and written at a time within a batch. */
const WRITE_SLICE_CASES = 512;

/** What came back from a batch: results in order, and why it stopped early if it did. */
export interface BatchOutcome {
  readonly results: RawResult[];
  /** Set when the runner died or hung before answering every case; the next case is the culprit. */
  readonly failure?: string;
}

/** A started runner (see native/runner.c) and the pipes to it. One batch at a time. */
export class RunnerProcess {
  private stderrTail = '';
  private exitDescription: string | undefined;
  private onProgress: () => void = () => {};
  private onExit: (description: string) => void = () => {};

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly ready: ReadyMessage,
    private readonly reader: MessageReader,
  ) {}

  /**
   * Starts `command` and waits for its ready message.
   * @throws Error saying how the runner failed to start (exit status and its stderr).
   */
  static start(command: string, args: readonly string[]): Promise<RunnerProcess> {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const reader = new MessageReader();
    let stderr = '';
    return new Promise<RunnerProcess>((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(
          new Error(
            `the oracle runner (${command}) did not start: ${why}${stderr ? `; stderr: ${stderr.trim()}` : ''}`,
          ),
        );
      };
      const timer = setTimeout(
        () => fail(`no ready message within ${START_TIMEOUT_MS} ms`),
        START_TIMEOUT_MS,
      );
      child.on('error', (error) => fail(error.message));
      child.on('close', (code, signal) =>
        fail(signal ? `killed by ${signal}` : `exited with status ${code}`),
      );
      child.stdin.on('error', () => {});
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT);
      });
      const onData = (chunk: Buffer) => {
        reader.push(chunk);
        const bytes = reader.take(READY_MESSAGE_SIZE);
        if (!bytes) return;
        clearTimeout(timer);
        child.removeAllListeners('close');
        child.removeAllListeners('error');
        child.stdout.off('data', onData);
        child.stderr.removeAllListeners('data');
        try {
          const runner = new RunnerProcess(child, decodeReadyMessage(bytes), reader);
          runner.stderrTail = stderr;
          runner.listen();
          runner.setKeepAlive(false);
          resolve(runner);
        } catch (error) {
          fail((error as Error).message);
        }
      };
      child.stdout.on('data', onData);
    });
  }

  private listen(): void {
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.reader.push(chunk);
      this.onProgress();
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-STDERR_KEPT);
    });
    this.child.on('error', (error) => this.markExited(`could not be reached: ${error.message}`));
    this.child.on('close', (code, signal) =>
      this.markExited(signal ? `was killed by ${signal}` : `exited with status ${code}`),
    );
  }

  private markExited(description: string): void {
    if (this.exitDescription !== undefined) return;
    const stderr = this.stderrTail.trim();
    this.exitDescription = `the oracle runner ${description}${stderr ? ` (stderr: ${stderr})` : ''}`;
    this.onExit(this.exitDescription);
  }

  /** True while the process can take cases. */
  get alive(): boolean {
    return this.exitDescription === undefined;
  }

  /**
   * Sends a batch and collects its results. Never rejects: if the runner dies or stops answering
   * for `stallMs`, the outcome holds the results so far and a `failure` description.
   */
  execute(batch: readonly PreparedCase[], stallMs: number): Promise<BatchOutcome> {
    const results: RawResult[] = [];
    if (!this.alive) return Promise.resolve({ results, failure: this.exitDescription });
    const readLengths = batch.map((prepared) => prepared.reads.map((read) => read.length));
    this.setKeepAlive(true);
    return new Promise<BatchOutcome>((resolve) => {
      let watchdog: NodeJS.Timeout | undefined;
      const finish = (failure?: string) => {
        clearTimeout(watchdog);
        this.onProgress = () => {};
        this.onExit = () => {};
        if (this.alive) this.setKeepAlive(false);
        resolve(failure === undefined ? { results } : { results, failure });
      };
      const armWatchdog = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          this.markExited(`stopped answering for ${stallMs} ms and was killed`);
          this.child.kill('SIGKILL');
        }, stallMs);
      };
      this.onExit = (description) => finish(description);
      this.onProgress = () => {
        while (results.length < batch.length) {
          const lengths = readLengths[results.length];
          const bytes = this.reader.take(resultSize(lengths));
          if (!bytes) break;
          results.push(decodeResult(bytes, lengths));
        }
        if (results.length === batch.length) finish();
        else armWatchdog();
      };
      armWatchdog();
      // Encode and send in slices, yielding between them: a huge batch never exists as one buffer,
      // and the runner starts on the first slice while later ones are encoded.
      let sent = 0;
      const sendMore = () => {
        if (!this.alive) return;
        const end = Math.min(sent + WRITE_SLICE_CASES, batch.length);
        const accepted = this.child.stdin.write(encodeCases(batch.slice(sent, end)));
        sent = end;
        if (sent >= batch.length) return;
        if (accepted) setImmediate(sendMore);
        else this.child.stdin.once('drain', sendMore);
      };
      sendMore();
      this.onProgress(); // an empty batch is done at once
    });
  }

  /** Ends the process: closes its input (it exits at end of input), then kills it if it lingers. */
  close(): Promise<void> {
    if (!this.alive) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
      this.child.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.stdin.end();
    });
  }

  /** An idle runner must not keep Node alive; a busy one must. */
  private setKeepAlive(active: boolean): void {
    const handles = [
      this.child,
      this.child.stdin,
      this.child.stdout,
      this.child.stderr,
    ] as unknown as Socket[];
    for (const handle of handles) {
      if (active) handle.ref?.();
      else handle.unref?.();
    }
  }
}
