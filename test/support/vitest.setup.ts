/**
 * Vitest setup (listed in vitest.config.ts `setupFiles`): vial's tests use vial's own matchers, the
 * way a user's project would (`registerVialMatchers` plus the type augmentation).
 */
import { expect } from 'vitest';
import { registerVialMatchers } from '../../src/matchers/index.js';
import '../../src/matchers/vitest.js';

registerVialMatchers(expect);
