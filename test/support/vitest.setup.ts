/**
 * Vitest setup (listed in vitest.config.ts `setupFiles`): vial's tests use vial's own matchers, the
 * way a user's project would (`registerVialMatchers` plus the type augmentation). With
 * VIAL_EXECUTION=interpreted every machine a test creates runs on the IR interpreter instead of
 * compiled blocks (`npm run test:interpreted`, part of `npm test`): the same tests, both paths.
 */
import { expect } from 'vitest';
import { Machine } from '../../src/machine/machine.js';
import { registerVialMatchers } from '../../src/matchers/index.js';
import '../../src/matchers/vitest.js';

registerVialMatchers(expect);

if (process.env.VIAL_EXECUTION === 'interpreted') Machine.defaultExecution = 'interpreted';
