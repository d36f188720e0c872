/**
 * `expect(fn).not.toLeak()` for Vitest and Jest, without importing either: the matcher follows the
 * structural contract both runners share (`this.isNot`, `{ pass, message }`, async allowed).
 *
 * @example
 * // vitest.setup.ts (or jest.setup.ts)
 * import { expect } from 'vitest';
 * import { registerLeakMatchers } from 'vial/leak';
 * registerLeakMatchers(expect);
 *
 * // in a test
 * await expect(() => parse(source)).not.toLeak();
 * await expect(() => cache.add(key)).toLeak({ thresholdBytesPerIteration: 64 });
 */
import { checkLeak, type LeakCheckOptions, type LeakTestFunction } from './check-leak.js';
import { formatLeakReport } from './format.js';

/** The part of the matcher context (`this`) that `toLeak` reads; Vitest and Jest both provide it. */
export interface LeakMatcherContext {
  readonly isNot?: boolean;
}

/** What a custom matcher returns, in both runners. */
export interface LeakMatcherResult {
  pass: boolean;
  message: () => string;
}

/**
 * The matcher: passes when `received` (a function) leaks. Use it negated, `expect(fn).not.toLeak()`,
 * to assert that a function does not leak; the failure message carries the full report and diagnosis.
 * Always `await` it: it runs for a few seconds.
 */
export async function toLeak(
  this: LeakMatcherContext | undefined,
  received: unknown,
  options: LeakCheckOptions = {},
): Promise<LeakMatcherResult> {
  const negated = this?.isNot === true;
  if (typeof received !== 'function') {
    return {
      pass: negated, // fail in both directions
      message: () =>
        `expect(received).${negated ? 'not.' : ''}toLeak(): received must be a function, got ${typeof received}`,
    };
  }
  const name = received.name || 'function';
  const result = await checkLeak(received as LeakTestFunction, { diagnose: negated, ...options });
  const report = formatLeakReport(result, name);
  return {
    pass: result.leaked,
    // Shown only when the assertion fails, i.e. when `pass` contradicts what was expected.
    message: () =>
      result.leaked
        ? `expected ${name} not to leak, but surviving memory grows with each call.\n${report}`
        : `expected ${name} to leak, but surviving memory does not grow.\n${report}`,
  };
}

/** The matchers object, for `expect.extend(leakMatchers)`. */
export const leakMatchers = { toLeak } as const;

/** Anything with Vitest's / Jest's `expect.extend`. */
export interface ExtendableExpect {
  // biome-ignore lint/suspicious/noExplicitAny: each runner types `extend` its own way; any accepts both.
  extend(matchers: any): void;
}

/** Registers `toLeak` on the given `expect` (Vitest's or Jest's). */
export function registerLeakMatchers(expect: ExtendableExpect): void {
  expect.extend(leakMatchers);
}

/** The matcher's signature as it appears on an assertion. */
export interface LeakMatchers<R = unknown> {
  /** Runs the growth test on the received function; await it. */
  toLeak(options?: LeakCheckOptions): Promise<R>;
}

// Loads Vitest's declarations into the program so the augmentation below resolves in builds that
// include no test file (type-only: erased from the JavaScript output).
import type {} from 'vitest';

// Types the matcher on Vitest's assertions (`Matchers` is what Vitest's `Assertion` extends). Type-only:
// nothing from 'vitest' is loaded at run time.
declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: type parameters must match Vitest's own declaration.
  interface Matchers<T = any> extends LeakMatchers<void> {}
}
