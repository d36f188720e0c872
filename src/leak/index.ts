/**
 * `vial/leak`: memory-leak testing for JavaScript (Node-only).
 *
 * - {@link checkLeak}: the growth test (does surviving heap + external memory grow per call?);
 * - {@link expectCollected} / {@link RetentionTracker}: does this object get garbage-collected?
 * - {@link registerLeakMatchers} / {@link toLeak}: `await expect(fn).not.toLeak()` in Vitest and Jest;
 * - {@link assertNoLeak}: the same for `node:test`;
 * - {@link collectGarbage}: a full GC without `--expose-gc`.
 *
 * See docs/leak.md.
 */
export {
  analyzeSeries,
  checkLeak,
  type LeakBatch,
  type LeakCheckOptions,
  type LeakCheckResult,
  type LeakProgress,
  type LeakSample,
  LeakTestError,
  type LeakTestFunction,
} from './check-leak.js';
export type { LeakDiagnosis, LeakedObject } from './diagnose.js';
export { formatBytes, formatLeakReport } from './format.js';
export { type CollectGarbageOptions, collectGarbage, type ForcedGc, forceGc, type GcMethod } from './gc.js';
export {
  type ExtendableExpect,
  type LeakMatcherContext,
  type LeakMatcherResult,
  type LeakMatchers,
  leakMatchers,
  registerLeakMatchers,
  toLeak,
} from './matchers.js';
export type { MemorySample } from './memory.js';
export { sampleMemory } from './memory.js';
export { assertLeaks, assertNoLeak } from './node-test.js';
export {
  type CollectionOptions,
  type CollectionResult,
  expectCollected,
  RetainedError,
  RetentionTracker,
} from './retention.js';
export type { ClassGrowth, RetainerStep } from './snapshot.js';
