/**
 * vial's assertions for `node:test` (`vial/node-test`), or any runner that reports a thrown
 * `AssertionError`: the same checks and messages as the Vitest/Jest matchers of `vial/matchers`.
 *
 * @example
 * import { test } from 'node:test';
 * import { assertRegister, assertFlags } from 'vial/node-test';
 * test('div', () => {
 *   machine.run();
 *   assertRegister(machine, 'eax', 3);
 *   assertFlags(machine, { CF: Undefined });
 * });
 */
import { AssertionError } from 'node:assert';
import type { FlagBit } from '../ir/expression.js';
import type {
  DiffOptions,
  ExpectedFlag,
  ExpectedState,
  ExpectedValue,
  MachineSnapshot,
  StateSource,
} from '../machine/snapshot.js';
import type { Value } from '../value/value.js';
import {
  type CheckResult,
  checkFlags,
  checkMatchesDefined,
  checkRegister,
  checkUndefinedBits,
  checkUndefinedValue,
} from './checks.js';

// biome-ignore lint/complexity/noBannedTypes: stackStartFn takes any function, as node:assert does.
function fail(result: CheckResult, operator: string, expected: unknown, stackStartFn: Function): void {
  if (result.pass) return;
  throw new AssertionError({ message: result.message, expected, operator, stackStartFn });
}

/** Throws an `AssertionError` unless the register (any alias) equals `expected` (see `toHaveRegister`). */
export function assertRegister(state: StateSource, register: string, expected: ExpectedValue): void {
  fail(checkRegister(state, register, expected), 'assertRegister', expected, assertRegister);
}

/** Throws an `AssertionError` unless each named flag matches (see `toHaveFlags`). */
export function assertFlags(
  state: StateSource,
  expected: Readonly<Partial<Record<FlagBit, ExpectedFlag>>>,
): void {
  fail(checkFlags(state, expected), 'assertFlags', expected, assertFlags);
}

/** Throws an `AssertionError` listing every difference unless the state matches on defined bits. */
export function assertMatchesDefined(
  state: StateSource,
  expected: ExpectedState | MachineSnapshot,
  options?: DiffOptions,
): void {
  fail(checkMatchesDefined(state, expected, options), 'assertMatchesDefined', expected, assertMatchesDefined);
}

/** Throws an `AssertionError` unless every bit of `value` is undefined. */
export function assertUndefinedValue(value: Value): void {
  fail(checkUndefinedValue(value), 'assertUndefinedValue', 'every bit undefined', assertUndefinedValue);
}

/** Throws an `AssertionError` unless the undefined bits of `value` are exactly `mask`. */
export function assertUndefinedBits(value: Value, mask: number | bigint): void {
  fail(checkUndefinedBits(value, mask), 'assertUndefinedBits', mask, assertUndefinedBits);
}
