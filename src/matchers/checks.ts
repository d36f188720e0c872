/**
 * The checks behind vial's assertions, independent of any test runner: each returns whether it passed
 * and the message for either direction. The Vitest/Jest matchers (`./index.ts`) and the node:test
 * assertions (`./node-test.ts`) are thin wrappers, so every runner prints the same words.
 */
import type { FlagBit } from '../ir/expression.js';
import type { Machine } from '../machine/machine.js';
import {
  compareValue,
  type DiffOptions,
  describeBits,
  diffStates,
  ExpectationError,
  type ExpectedFlag,
  type ExpectedState,
  type ExpectedValue,
  explainDifference,
  formatExpectation,
  isMachineSnapshot,
  type MachineSnapshot,
  MODELLED_FLAGS,
  readFlag,
  readRegister,
  type StateSource,
  toExpectation,
} from '../machine/snapshot.js';
import { formatValue } from '../value/format.js';
import { isUndefined } from '../value/undefined.js';
import { Value } from '../value/value.js';

/** The outcome of a check: `message` explains a failure, `negatedMessage` a failure under `.not`. */
export interface CheckResult {
  readonly pass: boolean;
  /** Why the assertion failed when it was expected to pass. */
  readonly message: string;
  /** Why the negated assertion (`.not`) failed, i.e. why it passed. */
  readonly negatedMessage: string;
  /** True when the received value or the expectation is unusable: the assertion fails both ways. */
  readonly invalid?: boolean;
}

function invalid(message: string): CheckResult {
  return { pass: false, message, negatedMessage: message, invalid: true };
}

/** Duck-typed, so a machine from another copy of vial (dist vs src) is still recognised. */
function isStateSource(value: unknown): value is StateSource {
  if (isMachineSnapshot(value)) return true;
  const machine = value as Partial<Machine> | null;
  return (
    typeof machine === 'object' &&
    machine !== null &&
    typeof machine.getRegister === 'function' &&
    typeof machine.getFlag === 'function' &&
    typeof machine.memory === 'object'
  );
}

function isValue(value: unknown): value is Value {
  if (value instanceof Value) return true;
  const candidate = value as Partial<Value> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.width === 'number' &&
    typeof candidate.undefinedMask === 'bigint' &&
    typeof candidate.bits === 'bigint'
  );
}

function describeReceived(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return `${typeof value} ${String(value)}`;
  return value.constructor?.name ?? 'an object';
}

const notAState = (matcher: string, received: unknown) =>
  invalid(`${matcher}: expected a Machine or a MachineSnapshot, got ${describeReceived(received)}`);

/** Runs `body`, turning a thrown expectation error into an invalid result. */
function guarded(matcher: string, body: () => CheckResult): CheckResult {
  try {
    return body();
  } catch (error) {
    if (error instanceof ExpectationError) return invalid(`${matcher}: ${error.message}`);
    throw error;
  }
}

/** Two or more lines with their values aligned after the labels. */
function aligned(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width + 1)}${value}`).join('\n');
}

/**
 * `register` of `received` equals `expected` on every bit the expectation defines, and each of those
 * bits is defined; `Undefined` requires every bit undefined.
 */
export function checkRegister(received: unknown, register: string, expected: ExpectedValue): CheckResult {
  const matcher = 'toHaveRegister';
  if (!isStateSource(received)) return notAState(matcher, received);
  return guarded(matcher, () => {
    const name = register.toLowerCase();
    const actual = readRegister(received, name);
    const expectation = toExpectation(expected, actual.width, `register ${name}`);
    const found = compareValue(actual, expectation);
    const shown = formatExpectation(expectation);
    const table = aligned([
      ['expected', shown],
      ['actual', actual.toString()],
    ]);
    return {
      pass: found === null,
      message: found
        ? `expected ${name} = ${shown}, got ${actual.toString()} ${explainDifference(found)}\n\n${table}`
        : '',
      negatedMessage: `expected ${name} not to be ${shown}, but it is ${actual.toString()}`,
    };
  });
}

function flagText(value: Value): string {
  return value.isDefined ? String(value.bits) : '?';
}

/** Each named flag matches: 0/1/boolean must be that defined value, `Undefined` must be undefined. */
export function checkFlags(
  received: unknown,
  expected: Readonly<Partial<Record<FlagBit, ExpectedFlag>>>,
): CheckResult {
  const matcher = 'toHaveFlags';
  if (!isStateSource(received)) return notAState(matcher, received);
  if (typeof expected !== 'object' || expected === null)
    return invalid(
      `${matcher}: expected an object such as { CF: 1, ZF: 0 }, got ${describeReceived(expected)}`,
    );
  return guarded(matcher, () => {
    const rows: string[][] = [['flag', 'expected', 'actual', '']];
    let failures = 0;
    for (const flag of Object.keys(expected) as FlagBit[]) {
      if (!MODELLED_FLAGS.includes(flag))
        return invalid(`${matcher}: unknown flag '${flag}' (modelled: ${MODELLED_FLAGS.join(', ')})`);
      const wanted = expected[flag] as ExpectedFlag;
      const expectation = toExpectation(
        typeof wanted === 'boolean' ? (wanted ? 1 : 0) : wanted,
        1,
        `flag ${flag}`,
      );
      const actual = readFlag(received, flag);
      const found = compareValue(actual, expectation);
      if (found) failures++;
      const note = !found
        ? ''
        : found.undefinedInActual
          ? '✗ undefined'
          : found.definedInActual
            ? '✗ defined, expected undefined'
            : '✗ differs';
      rows.push([flag, expectation.definedMask ? String(expectation.bits) : '?', flagText(actual), note]);
    }
    const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column].length)));
    const table = rows
      .map((row) => row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]) : cell)).join('  '))
      .map((line) => line.trimEnd())
      .join('\n');
    const wanted = (Object.keys(expected) as FlagBit[])
      .map((flag) => `${flag}=${isUndefined(expected[flag]) ? '?' : String(Number(expected[flag]))}`)
      .join(' ');
    return {
      pass: failures === 0,
      message: `expected flags ${wanted}; ${failures} of ${rows.length - 1} differ:\n${table}`,
      negatedMessage: `expected flags not to be ${wanted}, but they are:\n${table}`,
    };
  });
}

/** `received` matches `expected` (a partial state or a snapshot) on the bits both define; see `diffStates`. */
export function checkMatchesDefined(
  received: unknown,
  expected: ExpectedState | MachineSnapshot,
  options: DiffOptions = {},
): CheckResult {
  const matcher = 'toMatchDefined';
  if (!isStateSource(received)) return notAState(matcher, received);
  if (typeof expected !== 'object' || expected === null)
    return invalid(
      `${matcher}: expected a state such as { registers: { rax: 5n } } or a snapshot, got ${describeReceived(expected)}`,
    );
  return guarded(matcher, () => {
    const differences = diffStates(received, expected, options);
    const count = differences.length;
    return {
      pass: count === 0,
      message: `expected the state to match on defined bits; ${count} difference${count === 1 ? '' : 's'}:\n${differences.map((d) => `  ${d.message}`).join('\n')}`,
      negatedMessage: 'expected the state not to match, but every compared bit agrees',
    };
  });
}

/** `received` is a `Value` whose every bit is undefined (or the coarse `Undefined`). */
export function checkUndefinedValue(received: unknown): CheckResult {
  const matcher = 'toBeUndefinedValue';
  if (isUndefined(received))
    return {
      pass: true,
      message: '',
      negatedMessage: 'expected a value with some defined bit, got the coarse Undefined',
    };
  if (!isValue(received))
    return invalid(`${matcher}: expected a Value (or Undefined), got ${describeReceived(received)}`);
  const all = (1n << BigInt(received.width)) - 1n;
  const defined = all & ~received.undefinedMask;
  return {
    pass: defined === 0n,
    message: `expected every bit undefined, got ${received.toString()} (${describeBits(defined)} defined)`,
    negatedMessage: `expected some bit defined, got ${received.toString()} (every bit undefined)`,
  };
}

/** `received` is a `Value` whose undefined bits are exactly `mask`. */
export function checkUndefinedBits(received: unknown, mask: number | bigint): CheckResult {
  const matcher = 'toHaveUndefinedBits';
  if (!isValue(received)) return invalid(`${matcher}: expected a Value, got ${describeReceived(received)}`);
  if ((typeof mask !== 'number' && typeof mask !== 'bigint') || BigInt(mask) < 0n)
    return invalid(`${matcher}: the mask must be a non-negative number or bigint, got ${String(mask)}`);
  const width = received.width;
  const wanted = BigInt(mask);
  if (wanted >> BigInt(width) !== 0n)
    return invalid(`${matcher}: mask 0x${wanted.toString(16)} is wider than the ${width}-bit value`);
  const describeMask = (value: bigint) =>
    `${formatValue(value, 0n, width)} (${value === 0n ? 'none' : describeBits(value)})`;
  const table = aligned([
    ['expected undefined', describeMask(wanted)],
    ['actual undefined', describeMask(received.undefinedMask)],
    ['value', received.toString()],
  ]);
  return {
    pass: received.undefinedMask === wanted,
    message: `expected exactly ${wanted === 0n ? 'no bits' : describeBits(wanted)} undefined, got ${received.toString()}\n\n${table}`,
    negatedMessage: `expected the undefined bits not to be ${describeMask(wanted)}, but they are: ${received.toString()}`,
  };
}
