/**
 * Forcing a full garbage collection from ordinary Node code, without `node --expose-gc`.
 *
 * Order of preference:
 * 1. `globalThis.gc` when the process already runs with `--expose-gc` (we use it and change nothing);
 * 2. the `v8.setFlagsFromString('--expose-gc')` + `vm.runInNewContext('gc')` route: a context created
 *    while the flag is on gets a `gc` function; we switch the flag back off at once so that later
 *    contexts (and the test's own globals) look exactly as before;
 * 3. a heap snapshot (`v8.getHeapSnapshot()`), which V8 precedes with its most thorough collection
 *    ("collect all available garbage"). Slow, so it is the fallback, and the last resort when the
 *    ordinary collection is not eager enough to clear a WeakRef.
 *
 * All three work on the main thread, in `worker_threads` workers (each isolate gets its own function)
 * and in child processes, so Vitest's `threads`, `forks` and `vmThreads` pools are all fine.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

/** How {@link forceGc} collects garbage in this isolate. */
export type GcMethod = 'global-gc' | 'vm-context' | 'heap-snapshot';

/** A synchronous full (mark-compact) garbage collection of the current isolate. */
export interface ForcedGc {
  readonly method: GcMethod;
  collect(): void;
}

let cached: ForcedGc | undefined;

/** True when this process was started with the V8 flag `--NAME` (spelled with - or _). */
function startedWithFlag(name: string): boolean {
  const spellings = new Set([name, name.replaceAll('-', '_')]);
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return args.some((arg) => arg.startsWith('--') && spellings.has(arg.slice(2)));
}

function isGcFunction(value: unknown): value is () => void {
  return typeof value === 'function';
}

/** The `gc` function of a fresh V8 context created while `--expose-gc` is temporarily on. */
function gcFromNewContext(): (() => void) | undefined {
  const keepFlag = startedWithFlag('expose-gc');
  try {
    v8.setFlagsFromString('--expose-gc');
    const candidate: unknown = vm.runInNewContext('typeof gc === "function" ? gc : undefined');
    return isGcFunction(candidate) ? candidate : undefined;
  } catch {
    // Flags can be frozen (V8's --freeze-flags-after-init); fall back to heap snapshots.
    return undefined;
  } finally {
    if (!keepFlag) {
      try {
        v8.setFlagsFromString('--no-expose-gc');
      } catch {
        // Nothing to restore if the flag could not be set in the first place.
      }
    }
  }
}

/**
 * A full collection through a heap snapshot. Taking the snapshot (synchronous) does the collection;
 * the JSON serialisation is streamed lazily, so destroying the stream at once skips that cost.
 */
export function collectViaHeapSnapshot(): void {
  const stream = v8.getHeapSnapshot();
  stream.destroy();
}

/**
 * The best available way to force a full GC in the current isolate. Created once and cached; call
 * it before taking any measurement baseline, because the first call may create a V8 context.
 */
export function forceGc(): ForcedGc {
  if (cached) return cached;
  const existing: unknown = (globalThis as { gc?: unknown }).gc;
  if (isGcFunction(existing)) {
    cached = { method: 'global-gc', collect: () => existing() };
  } else {
    const fromContext = gcFromNewContext();
    cached = fromContext
      ? { method: 'vm-context', collect: () => fromContext() }
      : { method: 'heap-snapshot', collect: collectViaHeapSnapshot };
  }
  return cached;
}

/** Resolves on a later macrotask: after pending I/O callbacks, timers due now and `setImmediate`s. */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Options for {@link collectGarbage}. */
export interface CollectGarbageOptions {
  /**
   * Collections, each followed by a macrotask so that FinalizationRegistry callbacks and promise
   * reactions released by the previous collection can run (and free what they own). Default 3.
   */
  readonly rounds?: number;
}

/**
 * Collects garbage thoroughly: `rounds` times a full GC followed by a macrotask, then one last GC
 * so that a measurement taken synchronously afterwards sees only what survives.
 */
export async function collectGarbage(options: CollectGarbageOptions = {}): Promise<void> {
  const gc = forceGc();
  const rounds = Math.max(1, options.rounds ?? 3);
  for (let round = 0; round < rounds; round++) {
    gc.collect();
    await nextMacrotask();
  }
  gc.collect();
}

let stableHeapDepth = 0;

/**
 * Runs `body` with V8's bytecode flushing switched off, then switches it back on (unless the process
 * was started with `--no-flush-bytecode`). V8 discards the bytecode of functions that have not run for
 * a few full GCs; the repeated GCs of a leak test make that happen in bursts of ±100–300 KB, which
 * would drown small leaks. Nesting is counted per isolate. V8 flags are per process, so a check in one
 * worker thread can switch flushing back on while another worker's check still runs; that only makes
 * the other check noisier, never wrong.
 */
export async function withoutBytecodeFlushing<T>(body: () => Promise<T>): Promise<T> {
  const restore = !startedWithFlag('no-flush-bytecode');
  if (stableHeapDepth++ === 0) setFlagQuietly('--no-flush-bytecode');
  try {
    return await body();
  } finally {
    if (--stableHeapDepth === 0 && restore) setFlagQuietly('--flush-bytecode');
  }
}

function setFlagQuietly(flag: string): void {
  try {
    v8.setFlagsFromString(flag);
  } catch {
    // Frozen flags: measurements are merely noisier.
  }
}
