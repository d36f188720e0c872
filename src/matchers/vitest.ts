/**
 * Types vial's matchers on Vitest's `expect` (`import 'vial/matchers/vitest'` in a setup file or any
 * file of the test program). Type-only: nothing is loaded at run time; register the matchers with
 * `registerVialMatchers(expect)` from `vial/matchers`.
 */

// Loads Vitest's declarations so the augmentation resolves (type-only: erased from the JavaScript).
import type {} from 'vitest';
import type { VialMatchers } from './index.js';

declare module 'vitest' {
  // `Assertion<T>` extends `Matchers<T>`, so this adds the matchers to `expect(x)`.
  // biome-ignore lint/suspicious/noExplicitAny: type parameters must match Vitest's own declaration.
  interface Matchers<T = any> extends VialMatchers<void> {}
}
