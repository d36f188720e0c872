/**
 * `xor edx, edx; div r` compiles to inline double arithmetic (src/jit/expressions.ts,
 * `inlineUnsignedDivision`) with `R.divideWide` for values outside its range. Compiled against the
 * interpreter (the reference) on tables of dividends and divisors from every range the code
 * distinguishes: small, below 2^52, above, powers of two, all ones, and a zero divisor at the end.
 * (16-bit `xor dx, dx` leaves DX a merge of RDX, not a constant, so 16-bit takes the runtime path.)
 */
import { describe, expect, it } from 'vitest';
import type { UndefinedPolicy } from '../../src/machine/index.js';
import { caseCount, Random, testSeed } from '../support/random.js';
import { runOverTable } from './table-program.js';

function randomValue(random: Random, width: number): bigint {
  const bits = (count: number) =>
    ((BigInt(random.uint32()) << 32n) | BigInt(random.uint32())) & ((1n << BigInt(count)) - 1n);
  const limit = (1n << BigInt(width)) - 1n;
  switch (random.uint32() % 6) {
    case 0:
      return bits(Math.min(width, 20)) || 1n;
    case 1:
      return bits(Math.min(width, 52)) || 1n;
    case 2:
      return bits(width) || 1n;
    case 3:
      return 1n << BigInt(random.uint32() % width);
    case 4:
      return limit - BigInt(random.uint32() % 3);
    default:
      return bits(width) >> BigInt(random.uint32() % width) || 1n;
  }
}

const registers = {
  16: { a: 'ax', c: 'cx', d: 'dx' },
  32: { a: 'eax', c: 'ecx', d: 'edx' },
  64: { a: 'rax', c: 'rcx', d: 'rdx' },
} as const;

function run(
  width: 16 | 32 | 64,
  policy: UndefinedPolicy,
  pairs: bigint[][],
  execution: 'compiled' | 'interpreted',
) {
  const { a, c, d } = registers[width];
  const body = `mov ${a}, [r8]\nmov ${c}, [r8+8]\nxor ${d}, ${d}\ndiv ${c}\nmov [r9], ${a}\nmov [r9+8], ${d}`;
  const { machine, ...result } = runOverTable(body, pairs, 16, policy, execution);
  return {
    ...result,
    rax: machine.getRegister('rax').toString(),
    rdx: machine.getRegister('rdx').toString(),
    rflags: machine.getFlags().toString(),
  };
}

describe(`unsigned division with a zero high half, compiled = interpreted (seed ${testSeed})`, () => {
  for (const width of [16, 32, 64] as const) {
    for (const policy of ['zero', 'track'] as const) {
      it(`${width}-bit, ${policy}`, () => {
        const random = new Random(testSeed + width);
        const pairs = Array.from({ length: caseCount(400) }, () => [
          randomValue(random, width),
          randomValue(random, width),
        ]);
        pairs.push([randomValue(random, width), 0n]); // #DE at the end
        const compiled = run(width, policy, pairs, 'compiled');
        const interpreted = run(width, policy, pairs, 'interpreted');
        expect(compiled.stop.fault).toBe('#DE');
        expect(compiled.compiled).toBeGreaterThan(compiled.steps / 2);
        expect({ ...compiled, compiled: 0 }).toEqual({ ...interpreted, compiled: 0 });
      });
    }
  }
});
