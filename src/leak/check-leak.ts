/**
 * The growth test: run a function in a loop and decide, from what survives full GCs, whether each
 * call leaves memory behind.
 *
 * Procedure (see docs/leak.md for the reasoning):
 * 1. calibrate: time a few calls to choose a batch size that fits the time budget;
 * 2. warm up with one batch, so that one-time growth (lazy initialisation, compiled code, inline caches,
 *    interned strings, bounded caches filling) happens before the baseline;
 * 3. measure the baseline, then run `batches` batches whose sizes double (N, 2N, 4N, …), with a full GC
 *    and settling before each measurement;
 * 4. fit a least-squares line of surviving bytes against cumulative iterations. The slope is the leak
 *    rate. Report a leak only when the slope reaches the threshold **and** each batch of the larger half
 *    grew by at least a quarter of the threshold rate and 16 KiB (a backstop in the spirit of CPython's
 *    refleak hunter, which demands growth in every run: one GC hiccup that inflates the slope cannot
 *    also make every large batch grow). The first, small batches are left out of the backstop because
 *    V8's accounting sometimes hides the first few thousand pushes into a growing array (one stalled
 *    batch is allowed when the line is steep and straight). And the
 *    growth must scale with the batch size (doubling batches): a cost per measurement adds the same
 *    to every batch, a leak adds in proportion to the calls.
 *
 * Doubling batch sizes matter for leaks into growable containers (arrays, Maps) of small values: their
 * backing store grows in steps of 1.5–2×, and doubling the element count guarantees a step per batch.
 */
import { diagnoseLeak, type LeakDiagnosis } from './diagnose.js';
import { collectGarbage, forceGc, type GcMethod, withoutBytecodeFlushing } from './gc.js';
import { type MemorySample, sampleMemory } from './memory.js';
import { clamp, fitLine } from './stats.js';

/** The function under test: called once per iteration; a returned promise is awaited before the next call. */
export type LeakTestFunction = () => unknown;

/** Where a running check is, for progress bars. Counts are function calls. */
export interface LeakProgress {
  readonly phase: 'calibrate' | 'warmup' | 'measure' | 'diagnose';
  /** Calls made so far in the whole check (warm-up included). */
  readonly completed: number;
  /** Calls the whole check will make (known after calibration; diagnosis adds one more batch). */
  readonly total: number;
}

/** Options of {@link checkLeak}. Every field is optional; the defaults finish in about 2.5 s. */
export interface LeakCheckOptions {
  /**
   * Calls in the first measured batch (and in the warm-up); later batches double it. Default: chosen
   * from the function's speed to fit {@link timeBudgetMs}, between 1 and 1000.
   */
  readonly iterations?: number;
  /** Measured batches after the baseline (at least 3). Default 5, so 31× `iterations` measured calls. */
  readonly batches?: number;
  /** Calls before the baseline. Default: `iterations` (at least 2, and at least the calibration calls). */
  readonly warmupIterations?: number;
  /** Smallest leak rate reported, in surviving bytes per call. Default 16. */
  readonly thresholdBytesPerIteration?: number;
  /** Target duration of calibration, warm-up and measurement (not diagnosis). Default 2500 ms. */
  readonly timeBudgetMs?: number;
  /** GC + macrotask rounds before each measurement (see `collectGarbage`). Default 3. */
  readonly gcRounds?: number;
  /**
   * When a leak is found, run one more batch between two heap snapshots and attach a diagnosis (top
   * growing constructors and a retainer path). Takes 1–5 s (longer for big heaps). Default true.
   */
  readonly diagnose?: boolean;
  /** Called now and then (at most every 100 ms, and at phase changes) with the progress. */
  readonly onProgress?: (progress: LeakProgress) => void;
}

/** One measurement: memory after a full GC, after `iterations` measured calls. */
export interface LeakSample extends MemorySample {
  /** Measured calls before this sample (0 for the baseline; warm-up calls are not counted). */
  readonly iterations: number;
  /** Milliseconds since the check started. */
  readonly elapsedMs: number;
}

/** One measured batch. */
export interface LeakBatch {
  readonly iterations: number;
  /** Change of surviving bytes (heap + external) over the batch. */
  readonly deltaBytes: number;
  /** True when the batch grew by at least the per-batch tolerance. */
  readonly grew: boolean;
}

/** What {@link checkLeak} found. */
export interface LeakCheckResult {
  /** True when surviving memory grows with the number of calls. */
  readonly leaked: boolean;
  /** Least-squares slope of surviving bytes (heap + external) per call. */
  readonly bytesPerIteration: number;
  /** The heap part of {@link bytesPerIteration}. */
  readonly heapBytesPerIteration: number;
  /** The external part (ArrayBuffers, WebAssembly memory, native) of {@link bytesPerIteration}. */
  readonly externalBytesPerIteration: number;
  /**
   * Confidence in the verdict, 0–1. For a leak: R² of the linear fit (1 = perfectly steady growth).
   * For no leak: 1 minus the evidence for one (the smaller of the fraction of the larger-half batches
   * that grew and slope / threshold); below ~0.5 means "borderline, re-run with more iterations".
   */
  readonly confidence: number;
  /** R² of the linear fit of surviving bytes against calls. */
  readonly rSquared: number;
  /** Baseline first, then one sample per batch. */
  readonly series: readonly LeakSample[];
  readonly batches: readonly LeakBatch[];
  readonly thresholdBytesPerIteration: number;
  readonly warmupIterations: number;
  /** Measured calls (warm-up and diagnosis excluded). */
  readonly iterations: number;
  /** Time for calibration, warm-up and measurement (the diagnosis reports its own). */
  readonly durationMs: number;
  readonly gcMethod: GcMethod;
  /** One sentence explaining the verdict. */
  readonly reason: string;
  /** Heap-snapshot evidence, present when a leak was found and `diagnose` was not false. */
  readonly diagnosis?: LeakDiagnosis;
}

/** Thrown when the function under test throws or rejects; the original error is the `cause`. */
export class LeakTestError extends Error {
  override readonly name = 'LeakTestError';
}

const DEFAULTS = {
  batches: 5,
  thresholdBytesPerIteration: 16,
  timeBudgetMs: 2500,
  gcRounds: 3,
  maxIterations: 1000,
  minWarmup: 2,
  /** Fraction of the threshold rate each batch must reach to count as "grew". */
  batchGrowthFraction: 0.25,
  /**
   * Bytes a batch must grow by at the least to count as "grew": above the noise of a test runner's
   * worker (one-off jumps of up to ~10 KB between two full GCs, from the runner's own messages).
   */
  minBatchGrowthBytes: 16 * 1024,
  progressIntervalMs: 100,
} as const;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function positiveInteger(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min} (got ${value})`);
  }
  return value;
}

/** Runs the function a number of times, awaiting async results one after another. */
class Runner {
  /** Calls made so far. */
  calls = 0;
  /** Calls planned (for progress reports). */
  total = 0;
  phase: LeakProgress['phase'] = 'calibrate';
  private lastReport = 0;

  constructor(
    private readonly fn: LeakTestFunction,
    private readonly started: number,
    private readonly onProgress: LeakCheckOptions['onProgress'],
  ) {}

  report(force = false): void {
    if (!this.onProgress) return;
    const now = performance.now();
    if (!force && now - this.lastReport < DEFAULTS.progressIntervalMs) return;
    this.lastReport = now;
    this.onProgress({ phase: this.phase, completed: this.calls, total: Math.max(this.total, this.calls) });
  }

  async run(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await this.callOnce();
      this.report();
    }
  }

  /** Runs until `count` calls or `deadline` (performance.now()), whichever first; returns calls made. */
  async runUntil(count: number, deadline: number): Promise<number> {
    let made = 0;
    while (made < count && performance.now() < deadline) {
      await this.callOnce();
      made++;
    }
    return made;
  }

  private async callOnce(): Promise<void> {
    const call = this.calls + 1;
    try {
      const result = this.fn();
      if (isThenable(result)) await result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new LeakTestError(`the function under test threw on call ${call}: ${message}`, { cause: error });
    }
    this.calls = call;
  }

  elapsed(): number {
    return performance.now() - this.started;
  }
}

/** The numbers of a sample, stored in a preallocated array so that bookkeeping does not grow the heap. */
const SAMPLE_FIELDS = 7;

class SampleStore {
  private readonly values: Float64Array;
  count = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity * SAMPLE_FIELDS);
  }

  add(sample: MemorySample, iterations: number, elapsedMs: number): void {
    const at = this.count++ * SAMPLE_FIELDS;
    this.values[at] = sample.heapBytes;
    this.values[at + 1] = sample.codeBytes;
    this.values[at + 2] = sample.externalBytes;
    this.values[at + 3] = sample.arrayBufferBytes;
    this.values[at + 4] = sample.totalBytes;
    this.values[at + 5] = iterations;
    this.values[at + 6] = elapsedMs;
  }

  toSamples(): LeakSample[] {
    return Array.from({ length: this.count }, (_, i) => {
      const at = i * SAMPLE_FIELDS;
      const v = this.values;
      return {
        heapBytes: v[at],
        codeBytes: v[at + 1],
        externalBytes: v[at + 2],
        arrayBufferBytes: v[at + 3],
        totalBytes: v[at + 4],
        iterations: v[at + 5],
        elapsedMs: v[at + 6],
      };
    });
  }
}

/**
 * Chooses the first batch size so that warm-up + measurement fit in the remaining budget. GCs cost what
 * they cost; when they (or a slow calibration on a loaded machine) would eat the budget, calls still get
 * 40% of the whole budget, so that cheap functions keep large batches: small batches hide small leaks
 * under the per-batch noise floor, and a late verdict is better than a wrong one. A safety factor
 * absorbs calls that get slower after calibration.
 */
function chooseIterations(
  msPerCall: number,
  msPerMeasurement: number,
  remainingMs: number,
  budgetMs: number,
  batches: number,
): number {
  const measurements = batches + 1;
  const callsPerUnit = 2 ** batches; // warm-up (1) + batches (2^batches - 1), in units of N
  const callBudgetMs = 0.8 * Math.max(remainingMs - measurements * msPerMeasurement, 0.4 * budgetMs);
  const affordable = Math.floor(callBudgetMs / Math.max(msPerCall, 1e-6) / callsPerUnit);
  return clamp(affordable, 1, DEFAULTS.maxIterations);
}

/**
 * Decides from the series whether the function leaks. Pure, exported for tests and for re-analysis of
 * a recorded series.
 */
export function analyzeSeries(
  series: readonly Pick<LeakSample, 'iterations' | 'totalBytes' | 'heapBytes' | 'externalBytes'>[],
  thresholdBytesPerIteration: number = DEFAULTS.thresholdBytesPerIteration,
): Pick<
  LeakCheckResult,
  | 'leaked'
  | 'bytesPerIteration'
  | 'heapBytesPerIteration'
  | 'externalBytesPerIteration'
  | 'confidence'
  | 'rSquared'
  | 'batches'
  | 'reason'
> {
  const xs = series.map((s) => s.iterations);
  const total = fitLine(
    xs,
    series.map((s) => s.totalBytes),
  );
  const heap = fitLine(
    xs,
    series.map((s) => s.heapBytes),
  );
  const external = fitLine(
    xs,
    series.map((s) => s.externalBytes),
  );
  const batches: LeakBatch[] = [];
  for (let i = 1; i < series.length; i++) {
    const iterations = series[i].iterations - series[i - 1].iterations;
    const deltaBytes = series[i].totalBytes - series[i - 1].totalBytes;
    const tolerance = Math.max(
      DEFAULTS.minBatchGrowthBytes,
      DEFAULTS.batchGrowthFraction * thresholdBytesPerIteration * iterations,
    );
    batches.push({ iterations, deltaBytes, grew: deltaBytes >= tolerance });
  }
  // The backstop looks at the larger half of the batches: they carry the most signal, and V8 sometimes
  // hides the first few thousand pushes into a growing array (its accounting catches up later).
  const decisive = batches.slice(Math.floor(batches.length / 2));
  const growing = decisive.filter((b) => b.grew).length;
  const growthFraction = growing / decisive.length;
  const slopeRatio = clamp(total.slope / thresholdBytesPerIteration, 0, 1);
  const steep = total.slope >= thresholdBytesPerIteration;
  // A leak's growth per batch scales with the batch (sizes double); a cost per measurement (the GC's
  // own bookkeeping, V8 code and feedback) adds about the same to every batch. The slope of each
  // batch's growth against its size, with an intercept, is the per-call part.
  // The larger half only, as for the backstop: a first batch that falls from an inflated baseline
  // would tilt the fit.
  const perCall = fitLine(
    decisive.map((b) => b.iterations),
    decisive.map((b) => b.deltaBytes),
  ).slope;
  const scales = perCall >= thresholdBytesPerIteration / 2;
  // One stalled batch among steady growth (V8's accounting of a growing array catching up later, a
  // measurement whose GC left garbage behind) does not hide a clear leak: a steep, straight line.
  const clear = total.slope >= 4 * thresholdBytesPerIteration && total.rSquared >= 0.9;
  const grewEnough = growing === decisive.length || (clear && growing >= decisive.length - 1);
  const leaked = steep && grewEnough && scales;
  const rate = `${total.slope.toFixed(1)} B/call`;
  const grewText = `${growing} of the last ${decisive.length} batches grew`;
  let reason: string;
  if (leaked) {
    reason = `${rate} (threshold ${thresholdBytesPerIteration}), ${grewText}`;
  } else if (steep && grewEnough) {
    reason = `slope ${rate} reaches the threshold and ${grewText}, but by about the same amount whatever the batch size (${perCall.toFixed(1)} B/call when fitted per batch): a cost per measurement, not per call`;
  } else if (steep) {
    reason = `slope ${rate} reaches the threshold, but only ${grewText}: noise or a one-time allocation`;
  } else {
    reason = `slope ${rate} is below the threshold of ${thresholdBytesPerIteration} B/call (${grewText})`;
  }
  return {
    leaked,
    bytesPerIteration: total.slope,
    heapBytesPerIteration: heap.slope,
    externalBytesPerIteration: external.slope,
    confidence: leaked ? total.rSquared : 1 - Math.min(growthFraction, slopeRatio),
    rSquared: total.rSquared,
    batches,
    reason,
  };
}

/**
 * Runs `fn` in growing batches with full GCs in between and reports whether surviving memory (heap +
 * external) grows per call. Async functions are awaited one call after another. Node-only.
 * Rejects with {@link LeakTestError} when `fn` throws.
 *
 * @example
 * const result = await checkLeak(() => parser.parse(source));
 * if (result.leaked) console.log(formatLeakReport(result));
 */
export async function checkLeak(
  fn: LeakTestFunction,
  options: LeakCheckOptions = {},
): Promise<LeakCheckResult> {
  if (typeof fn !== 'function') throw new TypeError('checkLeak: expected a function');
  const settings = {
    batches: positiveInteger('batches', options.batches, DEFAULTS.batches, 3),
    threshold: options.thresholdBytesPerIteration ?? DEFAULTS.thresholdBytesPerIteration,
    budgetMs: options.timeBudgetMs ?? DEFAULTS.timeBudgetMs,
    gcRounds: positiveInteger('gcRounds', options.gcRounds, DEFAULTS.gcRounds),
    iterations:
      options.iterations === undefined ? undefined : positiveInteger('iterations', options.iterations, 1),
    warmup:
      options.warmupIterations === undefined
        ? undefined
        : positiveInteger('warmupIterations', options.warmupIterations, 0, 0),
  };
  if (!(settings.threshold > 0)) {
    throw new RangeError(`thresholdBytesPerIteration must be > 0 (got ${settings.threshold})`);
  }
  if (!(settings.budgetMs > 0)) throw new RangeError(`timeBudgetMs must be > 0 (got ${settings.budgetMs})`);
  return withoutBytecodeFlushing(() => runCheck(fn, options, settings));
}

interface Settings {
  readonly batches: number;
  readonly threshold: number;
  readonly budgetMs: number;
  readonly gcRounds: number;
  readonly iterations: number | undefined;
  readonly warmup: number | undefined;
}

async function runCheck(
  fn: LeakTestFunction,
  options: LeakCheckOptions,
  settings: Settings,
): Promise<LeakCheckResult> {
  const started = performance.now();
  const gc = forceGc(); // before anything is measured: the first call may create a V8 context
  const runner = new Runner(fn, started, options.onProgress);
  const store = new SampleStore(settings.batches + 1);
  const measure = async (iterations: number): Promise<void> => {
    await collectGarbage({ rounds: settings.gcRounds });
    store.add(sampleMemory(), iterations, runner.elapsed());
  };
  runner.report(true);

  // Calibrate: the first calls (which also warm up) tell us the cost of a call and of a measurement.
  let firstBatch = settings.iterations;
  if (firstBatch === undefined) {
    const probeStart = performance.now();
    const probeMs = Math.min(100, settings.budgetMs / 20);
    const probeCalls = await runner.runUntil(DEFAULTS.maxIterations, probeStart + probeMs);
    const msPerCall = (performance.now() - probeStart) / probeCalls;
    const measureStart = performance.now();
    await collectGarbage({ rounds: settings.gcRounds });
    const msPerMeasurement = performance.now() - measureStart;
    const remainingMs = settings.budgetMs - runner.elapsed();
    firstBatch = chooseIterations(
      msPerCall,
      msPerMeasurement,
      remainingMs,
      settings.budgetMs,
      settings.batches,
    );
  }
  const sizes = Array.from({ length: settings.batches }, (_, i) => firstBatch * 2 ** i);
  const warmup = Math.max(settings.warmup ?? Math.max(firstBatch, DEFAULTS.minWarmup), runner.calls);
  runner.total = warmup + sizes.reduce((sum, n) => sum + n, 0);

  runner.phase = 'warmup';
  runner.report(true);
  await runner.run(warmup - runner.calls);

  runner.phase = 'measure';
  await measure(0);
  let measured = 0;
  for (const size of sizes) {
    await runner.run(size);
    measured += size;
    await measure(measured);
    runner.report(true);
  }

  const durationMs = performance.now() - started;
  const series = store.toSamples();
  const verdict = analyzeSeries(series, settings.threshold);
  let diagnosis: LeakDiagnosis | undefined;
  if (verdict.leaked && options.diagnose !== false) {
    runner.phase = 'diagnose';
    runner.total += firstBatch;
    runner.report(true);
    diagnosis = await diagnoseLeak((count) => runner.run(count), firstBatch, externalNote(verdict));
  }
  return {
    ...verdict,
    series,
    thresholdBytesPerIteration: settings.threshold,
    warmupIterations: warmup,
    iterations: measured,
    durationMs,
    gcMethod: gc.method,
    diagnosis,
  };
}

/** A note for leaks that grow mostly outside the V8 heap, which heap snapshots cannot itemise. */
function externalNote(verdict: Pick<LeakCheckResult, 'bytesPerIteration' | 'externalBytesPerIteration'>) {
  if (verdict.externalBytesPerIteration < verdict.bytesPerIteration / 2) return undefined;
  return (
    `Most of the growth (${verdict.externalBytesPerIteration.toFixed(1)} B/call) is external memory: ` +
    'ArrayBuffer/Buffer contents, WebAssembly.Memory pages or native allocations. Heap snapshots show ' +
    'the JS objects that own it, not the bytes; look for buffers or wasm allocations that are never freed.'
  );
}
