/**
 * In zero mode a condition on the flags of one CMP/SUB compiles to one comparison of its operands
 * (src/jit/expressions.ts, `fusedCondition`), and flags are computed only where used. Compiled
 * against the interpreter (the reference) for every condition code, through `setcc`, `cmovcc` and
 * `jcc`, at every operand size, on operands around the signed and unsigned boundaries.
 */
import { describe, expect, it } from 'vitest';
import { conditionCodes } from '../../src/isa/index.js';
import { Machine, type UndefinedPolicy } from '../../src/machine/index.js';
import { caseCount, Random, testSeed } from '../support/random.js';

const CODE = 0x40_0000n;
const TABLE = 0x50_0000n;
const OUT = 0x60_0000n;
const names = {
  8: { a: 'al', b: 'bl', data: 'byte' },
  16: { a: 'ax', b: 'bx', data: 'word' },
  32: { a: 'eax', b: 'ebx', data: 'dword' },
  64: { a: 'rax', b: 'rbx', data: 'qword' },
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
  const machine = new Machine({ mode: 64, policy, execution });
  // Per pair: setcc into the output, cmovcc (32-bit: cmov has no 8-bit form), and a jcc that counts in r11.
  machine.assemble(
    `mov r8, ${TABLE}
mov r9, ${OUT}
mov r10d, ${pairs.length}
xor r11d, r11d
next:
mov ${a}, [r8]
mov ${b}, [r8+8]
mov ecx, 1
mov edx, 2
cmp ${a}, ${b}
set${suffix} byte [r9]
cmov${suffix} ecx, edx
mov [r9+4], ecx
j${suffix} taken
add r11d, 1
taken:
add r8, 16
add r9, 8
dec r10d
jnz next`,
    { address: CODE },
  );
  machine.setRegister('rip', CODE);
  const table = new BigUint64Array(pairs.flat());
  machine.memory.map(TABLE, table.byteLength, 0b011, 'zero');
  machine.writeBytes(TABLE, new Uint8Array(table.buffer));
  machine.memory.map(OUT, pairs.length * 8, 0b011, 'zero');
  const stop = machine.run();
  return {
    stop: stop.reason,
    steps: machine.steps,
    compiled: machine.compiledSteps,
    out: machine.readBytes(OUT, pairs.length * 8),
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
