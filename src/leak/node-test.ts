/**
 * Assertions for `node:test` (or any runner that reports thrown AssertionErrors).
 *
 * @example
 * import { test } from 'node:test';
 * import { assertNoLeak } from 'vial/leak';
 * test('parse does not leak', () => assertNoLeak(() => parse(source)));
 */
import { AssertionError } from 'node:assert';
import {
  checkLeak,
  type LeakCheckOptions,
  type LeakCheckResult,
  type LeakTestFunction,
} from './check-leak.js';
import { formatLeakReport } from './format.js';

/**
 * Runs the growth test and throws an `AssertionError` carrying the report and the heap-snapshot
 * diagnosis when `fn` leaks. Resolves to the result otherwise.
 */
export async function assertNoLeak(
  fn: LeakTestFunction,
  options: LeakCheckOptions = {},
): Promise<LeakCheckResult> {
  const result = await checkLeak(fn, options);
  if (result.leaked) {
    throw new AssertionError({
      message: formatLeakReport(result, fn.name || 'function'),
      actual: `${result.bytesPerIteration.toFixed(1)} B/call`,
      expected: `< ${result.thresholdBytesPerIteration} B/call`,
      operator: 'assertNoLeak',
      stackStartFn: assertNoLeak,
    });
  }
  return result;
}

/** Runs the growth test and throws an `AssertionError` when `fn` does not leak (for testing fixtures). */
export async function assertLeaks(
  fn: LeakTestFunction,
  options: LeakCheckOptions = {},
): Promise<LeakCheckResult> {
  const result = await checkLeak(fn, { diagnose: false, ...options });
  if (!result.leaked) {
    throw new AssertionError({
      message: formatLeakReport(result, fn.name || 'function'),
      actual: `${result.bytesPerIteration.toFixed(1)} B/call`,
      expected: `>= ${result.thresholdBytesPerIteration} B/call`,
      operator: 'assertLeaks',
      stackStartFn: assertLeaks,
    });
  }
  return result;
}
