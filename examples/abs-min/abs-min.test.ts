/**
 * Example: branch-free `abs` and `min` (cqo/xor/sub, cmov, and the sbb trick), checked against
 * BigInt arithmetic on edge values, and shown to run the same number of instructions whatever
 * the input (no data-dependent branches).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
// In your own project: import { Machine } from 'vial';
import { Machine } from '../../src/index.js';

const source = readFileSync(new URL('./abs-min.asm', import.meta.url), 'utf8');
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const edges = [0n, 1n, -1n, 2n, -2n, 1000n, -1000n, INT64_MAX, INT64_MIN, INT64_MIN + 1n];

const machine = new Machine({ mode: 64, policy: 'strict' });
machine.assemble(source);

/** Calls `name` and returns its result and how many instructions it ran. */
function run(name: string, args: bigint[], signed: boolean): { value: bigint; steps: number } {
  const before = machine.steps;
  const value = machine.call(name, args).expectReturn({ signed });
  return { value, steps: machine.steps - before };
}

describe('abs64', () => {
  test.each(edges)('abs64(%s)', (x) => {
    // The oracle: |x| wrapped to 64 bits (so |INT64_MIN| is INT64_MIN again).
    expect(run('abs64', [x], true).value).toBe(BigInt.asIntN(64, x < 0n ? -x : x));
  });
});

describe('min64 (signed, cmov) and umin64 (unsigned, sbb)', () => {
  const pairs = edges.flatMap((a) => edges.map((b) => [a, b] as const));
  test('every pair of edge values', () => {
    for (const [a, b] of pairs) {
      // biome-ignore lint/complexity/useMathMinMax: bigints; Math.min does not take them
      const smaller = a < b ? a : b;
      expect(run('min64', [a, b], true).value).toBe(smaller);
      const [ua, ub] = [BigInt.asUintN(64, a), BigInt.asUintN(64, b)];
      expect(run('umin64', [a, b], false).value).toBe(ua < ub ? ua : ub);
    }
  });
});

test('branch-free: the instruction count never depends on the data', () => {
  for (const name of ['abs64', 'min64', 'umin64']) {
    const counts = new Set(edges.map((a) => run(name, [a, -a], true).steps));
    expect(counts.size).toBe(1);
  }
});
