/**
 * In zero mode a condition on the flags of one CMP/SUB compiles to one comparison of its operands
 * (src/jit/expressions.ts, `fusedCondition`), and flags are computed only where used. Compiled
 * against the interpreter (the reference) for every condition code, through `setcc`, `cmovcc` and
 * `jcc`, at every operand size, on operands around the signed and unsigned boundaries.
 */
import { describe, expect, it } from 'vitest';
import { conditionCodes } from '../../src/isa/index.js';
import type { UndefinedPolicy } from '../../src/machine/index.js';
import { caseCount, Random, testSeed } from '../support/random.js';
import { runOverTable } from './table-program.js';

const names = {
  8: { a: 'al', b: 'bl' },
  16: { a: 'ax', b: 'bx' },
  32: { a: 'eax', b: 'ebx' },
  64: { a: 'rax', b: 'rbx' },
} as const;

function operand(random: Random, width: number): bigint {
  const all = (1n << BigInt(width)) - 1n;
  const signBit = 1n << BigInt(width - 1);
  const near = [0n, 1n, all, signBit, signBit - 1n, signBit + 1n];
  const base = near[random.uint32() % near.length];
  const noise = BigInt(random.uint32() % 3) - 1n;
  if (random.uint32() % 3 === 0) return ((BigInt(random.uint32()) << 32n) | BigInt(random.uint32())) & all;
  return (base + noise) & all;
}

function run(
  width: 8 | 16 | 32 | 64,
  suffix: string,
  policy: UndefinedPolicy,
  pairs: bigint[][],
  execution: 'compiled' | 'interpreted',
) {
  const { a, b } = names[width];
  // Per pair: setcc into the output, cmovcc (32-bit: cmov has no 8-bit form), and a jcc that counts in r11.
  const body = `mov ${a}, [r8]\nmov ${b}, [r8+8]\nmov ecx, 1\nmov edx, 2\ncmp ${a}, ${b}\nset${suffix} byte [r9]\ncmov${suffix} ecx, edx\nmov [r9+4], ecx\nj${suffix} taken\nadd r11d, 1\ntaken:`;
  const { machine, stop, ...result } = runOverTable(body, pairs, 8, policy, execution);
  return {
    ...result,
    stop: stop.reason,
    r11: machine.getRegister('r11').toString(),
    flags: machine.getFlags().toString(),
  };
}

describe(`conditions on CMP's flags, compiled = interpreted (seed ${testSeed})`, () => {
  for (const width of [8, 16, 32, 64] as const) {
    it(`${width}-bit operands, every condition code, zero and track`, () => {
      const random = new Random(testSeed ^ width);
      const pairs = Array.from({ length: caseCount(120) }, () => {
        const first = operand(random, width);
        return [first, random.uint32() % 8 === 0 ? first : operand(random, width)];
      });
      for (const condition of conditionCodes) {
        for (const policy of ['zero', 'track'] as const) {
          const compiled = run(width, condition.suffix, policy, pairs, 'compiled');
          const interpreted = run(width, condition.suffix, policy, pairs, 'interpreted');
          expect(compiled.stop).toBe('end');
          expect(compiled.compiled, `${condition.suffix} ${policy}`).toBeGreaterThan(compiled.steps / 2);
          expect({ ...compiled, compiled: 0 }, `${width}-bit ${condition.suffix} ${policy}`).toEqual({
            ...interpreted,
            compiled: 0,
          });
        }
      }
    });
  }
});
