/**
 * Example: 64-bit `div`/`idiv` edge cases, including both causes of #DE. A fault during a call
 * is not an exception in the test: it comes back in the result, with the address and the
 * instruction, so the test can assert on it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
// In your own project: import { Machine } from 'vial';
import { Machine } from '../../src/index.js';

const source = readFileSync(new URL('./div64.asm', import.meta.url), 'utf8');
const U64_MAX = 2n ** 64n - 1n;
const INT64_MIN = -(2n ** 63n);

function setUp() {
  const machine = new Machine({ mode: 64, policy: 'strict' });
  machine.assemble(source);
  const remainder = machine.alloc(8);
  return { machine, remainder };
}

describe('udiv128', () => {
  const cases: [bigint, bigint, bigint][] = [
    [7n, 0n, 2n],
    [U64_MAX, 0n, 1n],
    [0n, 1n, 2n], // 2^64 / 2 = 2^63: fits
    [U64_MAX, 6n, 7n], // the largest dividend for d = 7 that does not overflow
    [12345n, 0n, U64_MAX],
  ];
  test.each(cases)('lo=%s hi=%s d=%s', (lo, hi, d) => {
    const { machine, remainder } = setUp();
    const dividend = (hi << 64n) | lo;
    expect(machine.call('udiv128', [lo, hi, d, remainder]).expectReturn()).toBe(dividend / d);
    expect(machine.readArray(remainder, 1, 64)).toEqual([dividend % d]);
  });

  test('#DE: division by zero', () => {
    const { machine, remainder } = setUp();
    const result = machine.call('udiv128', [1, 0, 0, remainder]);
    expect(result.ok).toBe(false);
    expect(result.stop.fault).toBe('#DE');
    expect(result.stopDisassembly).toBe('div r8');
  });

  test('#DE: the quotient does not fit in 64 bits (hi >= d)', () => {
    const { machine, remainder } = setUp();
    const result = machine.call('udiv128', [0, 7, 7, remainder]);
    expect(result.stop.fault).toBe('#DE');
    // The thrown form, for tests that only care about the happy path:
    expect(() => result.expectReturn()).toThrow(/did not return: fault at 0x[0-9a-f]+ \(div r8\)/);
  });
});

describe('sdiv64', () => {
  test.each([
    [7n, 2n],
    [-7n, 2n],
    [7n, -2n],
    [-7n, -2n],
    [INT64_MIN, 1n],
    [INT64_MIN + 1n, -1n],
  ])('%s / %s truncates toward zero, as BigInt division does', (a, b) => {
    expect(setUp().machine.call('sdiv64', [a, b]).expectReturn({ signed: true })).toBe(a / b);
  });

  test('#DE: INT64_MIN / -1 and division by zero', () => {
    const { machine } = setUp();
    expect(machine.call('sdiv64', [INT64_MIN, -1]).stop.fault).toBe('#DE');
    expect(machine.call('sdiv64', [1, 0]).stop.fault).toBe('#DE');
  });

  test('after a division every status flag is undefined (SDM: "CF, OF, SF, ZF, AF, PF undefined")', () => {
    const { machine } = setUp();
    machine.call('sdiv64', [100, 7]).expectOk();
    for (const flag of ['CF', 'OF', 'SF', 'ZF', 'AF', 'PF'] as const) {
      expect(machine.getFlag(flag).isDefined).toBe(false);
    }
  });
});
