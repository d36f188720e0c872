/**
 * vial's assertions for Vitest and Jest (`vial/matchers`), without importing either runner: the
 * matchers follow the contract both share (`this.isNot`, `{ pass, message }`) and nothing else, and
 * no Node API is used, so they also run in browser test runners.
 *
 * @example
 * // vitest.setup.ts (listed in `setupFiles`), or jest.setup.ts (`setupFilesAfterEach`)
 * import { expect } from 'vitest';
 * import { registerVialMatchers } from 'vial/matchers';
 * import 'vial/matchers/vitest'; // types; 'vial/matchers/jest' for Jest
 * registerVialMatchers(expect);
 *
 * // in a test
 * expect(machine).toHaveRegister('eax', 5);
 * expect(machine).toHaveFlags({ CF: 1, ZF: 0, OF: Undefined });
 * expect(machine).toMatchDefined({ registers: { rax: 5n }, memory: [[0x2000n, [0xaa, 0xbb]]] });
 * expect(machine.getFlag('CF')).toBeUndefinedValue();
 */
import type { FlagBit } from '../ir/expression.js';
import type {
  DiffOptions,
  ExpectedFlag,
  ExpectedState,
  ExpectedValue,
  MachineSnapshot,
} from '../machine/snapshot.js';
import {
  type CheckResult,
  checkFlags,
  checkMatchesDefined,
  checkRegister,
  checkUndefinedBits,
  checkUndefinedValue,
} from './checks.js';

export type { CheckResult } from './checks.js';

/** The part of the matcher context (`this`) the matchers read; Vitest and Jest both provide it. */
export interface VialMatcherContext {
  readonly isNot?: boolean;
}

/** What a custom matcher returns, in both runners. */
export interface VialMatcherResult {
  pass: boolean;
  message: () => string;
}

/** Adapts a check to the runner protocol: the message shown is the one for the direction that failed. */
function toResult(context: VialMatcherContext | undefined, result: CheckResult): VialMatcherResult {
  const negated = context?.isNot === true;
  // An unusable assertion must fail whichever way it is asked: pass = isNot makes the runner fail.
  if (result.invalid) return { pass: negated, message: () => result.message };
  return { pass: result.pass, message: () => (negated ? result.negatedMessage : result.message) };
}

/**
 * `expect(machineOrSnapshot).toHaveRegister(name, expected)`: the register (any alias) equals
 * `expected` — a number or bigint (negative = two's complement), a `Value` (its undefined bits are not
 * compared) or `Undefined` (every bit must be undefined). A defined expected bit never matches an
 * undefined actual bit.
 */
export function toHaveRegister(
  this: VialMatcherContext | undefined,
  received: unknown,
  register: string,
  expected: ExpectedValue,
): VialMatcherResult {
  return toResult(this, checkRegister(received, register, expected));
}

/** `expect(machineOrSnapshot).toHaveFlags({ CF: 1, ZF: 0, OF: Undefined })`: each named flag matches. */
export function toHaveFlags(
  this: VialMatcherContext | undefined,
  received: unknown,
  expected: Readonly<Partial<Record<FlagBit, ExpectedFlag>>>,
): VialMatcherResult {
  return toResult(this, checkFlags(received, expected));
}

/**
 * `expect(machineOrSnapshot).toMatchDefined(expected)`: a partial state or a snapshot, compared on the
 * bits both define (see `diffStates`); the failure lists every difference.
 */
export function toMatchDefined(
  this: VialMatcherContext | undefined,
  received: unknown,
  expected: ExpectedState | MachineSnapshot,
  options?: DiffOptions,
): VialMatcherResult {
  return toResult(this, checkMatchesDefined(received, expected, options));
}

/** `expect(value).toBeUndefinedValue()`: every bit of the `Value` is undefined (or it is `Undefined`). */
export function toBeUndefinedValue(
  this: VialMatcherContext | undefined,
  received: unknown,
): VialMatcherResult {
  return toResult(this, checkUndefinedValue(received));
}

/** `expect(value).toHaveUndefinedBits(mask)`: the `Value`'s undefined bits are exactly `mask`. */
export function toHaveUndefinedBits(
  this: VialMatcherContext | undefined,
  received: unknown,
  mask: number | bigint,
): VialMatcherResult {
  return toResult(this, checkUndefinedBits(received, mask));
}

/** The matchers object, for `expect.extend(vialMatchers)`. */
export const vialMatchers = {
  toHaveRegister,
  toHaveFlags,
  toMatchDefined,
  toBeUndefinedValue,
  toHaveUndefinedBits,
} as const;

/** Anything with Vitest's / Jest's `expect.extend`. */
export interface ExtendableExpect {
  // biome-ignore lint/suspicious/noExplicitAny: each runner types `extend` its own way; any accepts both.
  extend(matchers: any): void;
}

/** Registers vial's matchers on the given `expect` (Vitest's or Jest's). */
export function registerVialMatchers(expect: ExtendableExpect): void {
  expect.extend(vialMatchers);
}

/** The matchers' signatures as they appear on an assertion (used by the runner type augmentations). */
export interface VialMatchers<R = unknown> {
  /** The register (any alias) equals `expected`; `Undefined` = every bit undefined. */
  toHaveRegister(register: string, expected: ExpectedValue): R;
  /** Each named flag matches (0/1/boolean defined, `Undefined` undefined). */
  toHaveFlags(expected: Readonly<Partial<Record<FlagBit, ExpectedFlag>>>): R;
  /** The state matches a partial description or a snapshot on the bits both define. */
  toMatchDefined(expected: ExpectedState | MachineSnapshot, options?: DiffOptions): R;
  /** Every bit of the received `Value` is undefined. */
  toBeUndefinedValue(): R;
  /** The received `Value`'s undefined bits are exactly `mask`. */
  toHaveUndefinedBits(mask: number | bigint): R;
}
