/**
 * `xor edx, edx; div r` compiles to inline double arithmetic (src/jit/expressions.ts,
 * `inlineUnsignedDivision`) with `R.divideWide` for values outside its range. Compiled against the
 * interpreter (the reference) on tables of dividends and divisors from every range the code
 * distinguishes: small, below 2^52, above, powers of two, all ones, and a zero divisor at the end.
 * (16-bit `xor dx, dx` leaves DX a merge of RDX, not a constant, so 16-bit takes the runtime path.)
 */
import { describe, expect, it } from 'vitest';
import { Machine, type UndefinedPolicy } from '../../src/machine/index.js';
import { caseCount, Random, testSeed } from '../support/random.js';

const CODE = 0x40_0000n;
const TABLE = 0x50_0000n;
const OUT = 0x60_0000n;

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
  const machine = new Machine({ mode: 64, policy, execution });
  machine.assemble(
    `mov r8, ${TABLE}
mov r9, ${OUT}
mov r10d, ${pairs.length}
next:
mov ${a}, [r8]
mov ${c}, [r8+8]
xor ${d}, ${d}
div ${c}
mov [r9], ${a}
mov [r9+8], ${d}
add r8, 16
add r9, 16
dec r10d
jnz next`,
    { address: CODE },
  );
  machine.setRegister('rip', CODE);
  const table = new BigUint64Array(pairs.flat());
  machine.memory.map(TABLE, table.byteLength, 0b011, 'zero');
  machine.writeBytes(TABLE, new Uint8Array(table.buffer));
  machine.memory.map(OUT, table.byteLength, 0b011, 'zero');
  const stop = machine.run();
  return {
    stop: { reason: stop.reason, fault: stop.fault, address: stop.address },
    steps: machine.steps,
    compiled: machine.compiledSteps,
    out: machine.readBytes(OUT, table.byteLength),
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
