/**
 * Types vial's matchers on Jest's global `expect` (`@types/jest`): `import 'vial/matchers/jest'` in a
 * setup file. Type-only; register the matchers with `registerVialMatchers(expect)` from `vial/matchers`.
 * With `@jest/globals` (the `expect` package), add to a `.d.ts` of your project:
 * `declare module 'expect' { interface Matchers<R> extends import('vial/matchers').VialMatchers<R> {} }`.
 */
import type { VialMatchers } from './index.js';

declare global {
  namespace jest {
    // The type parameters must match @types/jest's declaration for the interfaces to merge.
    // biome-ignore lint/complexity/noBannedTypes: `{}` is @types/jest's own default.
    interface Matchers<R, T = {}> extends VialMatchers<R> {}
  }
}
