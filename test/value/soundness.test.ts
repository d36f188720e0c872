/**
 * Soundness and exactness of every kernel of the precise domain, by random testing against the
 * BigInt reference semantics in ./reference.ts.
 *
 * Soundness: for random operands and masks, and many random concretisations of the undefined bits,
 * every result bit the domain calls defined equals the concrete result. Exactness on defined input:
 * with no undefined operand bit the result is fully defined and equal to the reference.
 * Seed: VIAL_SEED (printed on failure); cases per operation: VIAL_CASES (default 10,000).
 */
import { describe, expect, it } from 'vitest';
import { kernels } from '../../src/value/index.js';
import { createFrame, loadBits, loadUndefinedMask, storeBigInt } from '../../src/value/layout.js';
import { caseCount, Random, testSeed } from '../support/random.js';
import { reference, truncate } from './reference.js';

const CASES = caseCount(10_000);
const CONCRETISATIONS = 8;
const WIDTHS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64];
const WIDE_ENOUGH = WIDTHS.filter((w) => w >= 8);
// The auxiliary carry is the carry out of bit 3: defined for widths of at least a nibble.
const NIBBLE_OR_WIDER = WIDTHS.filter((w) => w >= 4);

/** A generated operand: its width and abstract value. */
interface Operand {
  width: number;
  bits: bigint;
  mask: bigint;
}

type OperandKind = 'value' | 'carry' | 'count';

/** One kernel under test: its operand kinds, result width and the concrete reference. */
interface KernelCase {
  name: string;
  operands: OperandKind[];
  widths?: number[];
  resultWidth?: (width: number) => number;
  run: (f: Uint32Array, dst: number, slots: number[], width: number) => void;
  reference: (values: bigint[], width: number) => bigint;
}

const F = kernels;
const bit = () => 1;
const cases: KernelCase[] = [
  {
    name: 'and',
    operands: ['value', 'value'],
    run: (f, d, [a, b], w) => F.and(f, d, a, b, w),
    reference: ([a, b]) => a & b,
  },
  {
    name: 'or',
    operands: ['value', 'value'],
    run: (f, d, [a, b], w) => F.or(f, d, a, b, w),
    reference: ([a, b]) => a | b,
  },
  {
    name: 'xor',
    operands: ['value', 'value'],
    run: (f, d, [a, b], w) => F.xor(f, d, a, b, w),
    reference: ([a, b]) => a ^ b,
  },
  {
    name: 'not',
    operands: ['value'],
    run: (f, d, [a], w) => F.not(f, d, a, w),
    reference: ([a], w) => truncate(~a, w),
  },
  {
    name: 'add',
    operands: ['value', 'value', 'carry'],
    run: (f, d, [a, b, c], w) => F.add(f, d, a, b, c, w),
    reference: ([a, b, c], w) => reference.add(a, b, c, w),
  },
  {
    name: 'add (no carry-in)',
    operands: ['value', 'value'],
    run: (f, d, [a, b], w) => F.add(f, d, a, b, F.NO_CARRY, w),
    reference: ([a, b], w) => reference.add(a, b, 0n, w),
  },
  {
    name: 'addCarry',
    operands: ['value', 'value', 'carry'],
    resultWidth: bit,
    run: (f, d, [a, b, c], w) => F.addCarry(f, d, a, b, c, w),
    reference: ([a, b, c], w) => reference.addCarry(a, b, c, w),
  },
  {
    name: 'addOverflow',
    operands: ['value', 'value', 'carry'],
    resultWidth: bit,
    run: (f, d, [a, b, c], w) => F.addOverflow(f, d, a, b, c, w),
    reference: ([a, b, c], w) => reference.addOverflow(a, b, c, w),
  },
  {
    name: 'addAuxiliaryCarry',
    operands: ['value', 'value', 'carry'],
    resultWidth: bit,
    widths: NIBBLE_OR_WIDER,
    run: (f, d, [a, b, c], w) => F.addAuxiliaryCarry(f, d, a, b, c, w),
    reference: ([a, b, c]) => reference.addAuxiliaryCarry(a, b, c),
  },
  {
    name: 'subtract',
    operands: ['value', 'value', 'carry'],
    run: (f, d, [a, b, c], w) => F.subtract(f, d, a, b, c, w),
    reference: ([a, b, c], w) => reference.subtract(a, b, c, w),
  },
  {
    name: 'subtractBorrow',
    operands: ['value', 'value', 'carry'],
    resultWidth: bit,
    run: (f, d, [a, b, c], w) => F.subtractBorrow(f, d, a, b, c, w),
    reference: ([a, b, c]) => reference.subtractBorrow(a, b, c),
  },
  {
    name: 'subtractOverflow',
    operands: ['value', 'value', 'carry'],
    resultWidth: bit,
    run: (f, d, [a, b, c], w) => F.subtractOverflow(f, d, a, b, c, w),
    reference: ([a, b, c], w) => reference.subtractOverflow(a, b, c, w),
  },
  {
    name: 'subtractAuxiliaryBorrow',
    operands: ['value', 'value', 'carry'],
    resultWidth: bit,
    widths: NIBBLE_OR_WIDER,
    run: (f, d, [a, b, c], w) => F.subtractAuxiliaryBorrow(f, d, a, b, c, w),
    reference: ([a, b, c]) => reference.subtractAuxiliaryBorrow(a, b, c),
  },
  {
    name: 'negate',
    operands: ['value'],
    run: (f, d, [a], w) => F.negate(f, d, a, w),
    reference: ([a], w) => reference.negate(a, w),
  },
  {
    name: 'multiplyLow',
    operands: ['value', 'value'],
    run: (f, d, [a, b], w) => F.multiplyLow(f, d, a, b, w),
    reference: ([a, b], w) => reference.multiplyLow(a, b, w),
  },
  {
    name: 'multiplyHighUnsigned',
    operands: ['value', 'value'],
    run: (f, d, [a, b], w) => F.multiplyHighUnsigned(f, d, a, b, w),
    reference: ([a, b], w) => reference.multiplyHighUnsigned(a, b, w),
  },
  {
    name: 'multiplyHighSigned',
    operands: ['value', 'value'],
    run: (f, d, [a, b], w) => F.multiplyHighSigned(f, d, a, b, w),
    reference: ([a, b], w) => reference.multiplyHighSigned(a, b, w),
  },
  {
    name: 'shiftLeft',
    operands: ['value', 'count'],
    run: (f, d, [a, n], w) => F.shiftLeft(f, d, a, n, w),
    reference: ([a, n], w) => reference.shiftLeft(a, n, w),
  },
  {
    name: 'shiftRight',
    operands: ['value', 'count'],
    run: (f, d, [a, n], w) => F.shiftRight(f, d, a, n, w),
    reference: ([a, n], w) => reference.shiftRight(a, n, w),
  },
  {
    name: 'shiftRightArithmetic',
    operands: ['value', 'count'],
    run: (f, d, [a, n], w) => F.shiftRightArithmetic(f, d, a, n, w),
    reference: ([a, n], w) => reference.shiftRightArithmetic(a, n, w),
  },
  {
    name: 'rotateLeft',
    operands: ['value', 'count'],
    run: (f, d, [a, n], w) => F.rotateLeft(f, d, a, n, w),
    reference: ([a, n], w) => reference.rotateLeft(a, n, w),
  },
  {
    name: 'rotateRight',
    operands: ['value', 'count'],
    run: (f, d, [a, n], w) => F.rotateRight(f, d, a, n, w),
    reference: ([a, n], w) => reference.rotateRight(a, n, w),
  },
  {
    name: 'rotateCarryLeft',
    operands: ['value', 'carry', 'count'],
    run: (f, d, [a, c, n], w) => F.rotateCarryLeft(f, d, a, c, n, w),
    reference: ([a, c, n], w) => reference.rotateCarryLeft(a, c, n, w)[0],
  },
  {
    name: 'rotateCarryLeftCarryOut',
    operands: ['value', 'carry', 'count'],
    resultWidth: bit,
    run: (f, d, [a, c, n], w) => F.rotateCarryLeftCarryOut(f, d, a, c, n, w),
    reference: ([a, c, n], w) => reference.rotateCarryLeft(a, c, n, w)[1],
  },
  {
    name: 'rotateCarryRight',
    operands: ['value', 'carry', 'count'],
    run: (f, d, [a, c, n], w) => F.rotateCarryRight(f, d, a, c, n, w),
    reference: ([a, c, n], w) => reference.rotateCarryRight(a, c, n, w)[0],
  },
  {
    name: 'rotateCarryRightCarryOut',
    operands: ['value', 'carry', 'count'],
    resultWidth: bit,
    run: (f, d, [a, c, n], w) => F.rotateCarryRightCarryOut(f, d, a, c, n, w),
    reference: ([a, c, n], w) => reference.rotateCarryRight(a, c, n, w)[1],
  },
  {
    name: 'testBit',
    operands: ['value', 'count'],
    resultWidth: bit,
    run: (f, d, [a, n], w) => F.testBit(f, d, a, n, w),
    reference: ([a, n], w) => reference.testBit(a, n, w),
  },
  {
    name: 'extract(3, 5)',
    operands: ['value'],
    widths: WIDE_ENOUGH,
    resultWidth: () => 5,
    run: (f, d, [a]) => F.extract(f, d, a, 3, 5),
    reference: ([a]) => truncate(a >> 3n, 5),
  },
  {
    name: 'extract(high half)',
    operands: ['value'],
    widths: WIDTHS.filter((w) => w >= 2),
    resultWidth: (w) => w - Math.floor(w / 2),
    run: (f, d, [a], w) => F.extract(f, d, a, Math.floor(w / 2), w - Math.floor(w / 2)),
    reference: ([a], w) => a >> BigInt(Math.floor(w / 2)),
  },
  {
    name: 'concat (a : b, each half the result)',
    operands: ['value', 'value'],
    widths: WIDTHS.filter((w) => w <= 32),
    resultWidth: (w) => 2 * w,
    run: (f, d, [a, b], w) => F.concat(f, d, a, b, w, 2 * w),
    reference: ([a, b], w) => (a << BigInt(w)) | b,
  },
  {
    name: 'signExtend to 64',
    operands: ['value'],
    resultWidth: () => 64,
    run: (f, d, [a], w) => F.signExtend(f, d, a, w, 64),
    reference: ([a], w) => truncate(BigInt.asIntN(w, a), 64),
  },
  {
    name: 'zeroExtend to 64',
    operands: ['value'],
    resultWidth: () => 64,
    run: (f, d, [a]) => F.zeroExtend(f, d, a, 64),
    reference: ([a]) => a,
  },
  {
    name: 'select',
    operands: ['carry', 'value', 'value'],
    run: (f, d, [c, a, b], w) => F.select(f, d, c, a, b, w),
    reference: ([c, a, b]) => (c ? a : b),
  },
  {
    name: 'populationCount',
    operands: ['value'],
    run: (f, d, [a], w) => F.populationCount(f, d, a, w),
    reference: ([a], w) => truncate(reference.populationCount(a), w),
  },
  {
    name: 'countTrailingZeros',
    operands: ['value'],
    run: (f, d, [a], w) => F.countTrailingZeros(f, d, a, w),
    reference: ([a], w) => truncate(reference.countTrailingZeros(a, w), w),
  },
  {
    name: 'countLeadingZeros',
    operands: ['value'],
    run: (f, d, [a], w) => F.countLeadingZeros(f, d, a, w),
    reference: ([a], w) => truncate(reference.countLeadingZeros(a, w), w),
  },
  {
    name: 'evenParity',
    operands: ['value'],
    resultWidth: bit,
    run: (f, d, [a], w) => F.evenParity(f, d, a, w),
    reference: ([a]) => reference.evenParity(a),
  },
  {
    name: 'isZero',
    operands: ['value'],
    resultWidth: bit,
    run: (f, d, [a], w) => F.isZero(f, d, a, w),
    reference: ([a]) => reference.isZero(a),
  },
  {
    name: 'equal',
    operands: ['value', 'value'],
    resultWidth: bit,
    run: (f, d, [a, b], w) => F.equal(f, d, a, b, w),
    reference: ([a, b]) => reference.equal(a, b),
  },
  {
    name: 'lessUnsigned',
    operands: ['value', 'value'],
    resultWidth: bit,
    run: (f, d, [a, b], w) => F.lessUnsigned(f, d, a, b, w),
    reference: ([a, b]) => reference.lessUnsigned(a, b),
  },
  {
    name: 'lessSigned',
    operands: ['value', 'value'],
    resultWidth: bit,
    run: (f, d, [a, b], w) => F.lessSigned(f, d, a, b, w),
    reference: ([a, b], w) => reference.lessSigned(a, b, w),
  },
];

function generate(rng: Random, kind: OperandKind, width: number): Operand {
  if (kind === 'carry') {
    return { width: 1, bits: BigInt(rng.below(2)), mask: rng.below(4) === 0 ? 1n : 0n };
  }
  if (kind === 'count') {
    const bits = rng.below(5) === 0 ? BigInt(rng.below(256)) : BigInt(rng.below(width + 3));
    return { width: 8, bits, mask: rng.below(8) === 0 ? 1n << BigInt(rng.below(8)) : 0n };
  }
  return { width, bits: rng.interestingBits(width), mask: rng.mask(width) };
}

/** Replaces the undefined bits of `operand` with random ones. */
function concretise(rng: Random, operand: Operand): bigint {
  return (operand.bits & ~operand.mask) | (rng.bits(operand.width) & operand.mask);
}

const describeCase = (seed: number, index: number, width: number, operands: Operand[]) =>
  `seed=${seed} case=${index} width=${width} operands=${operands
    .map((o) => `{bits:0x${o.bits.toString(16)}, undefined:0x${o.mask.toString(16)}, width:${o.width}}`)
    .join(', ')}`;

describe(`precise domain: soundness and exactness (seed ${testSeed}, ${CASES} cases per operation)`, () => {
  for (const kernel of cases) {
    it(kernel.name, () => {
      const rng = new Random(testSeed ^ hash(kernel.name));
      const frame = createFrame(8);
      const slots = [0, 4, 8, 12];
      const dst = 16;
      for (let index = 0; index < CASES; index++) {
        const width = rng.pick(kernel.widths ?? WIDTHS);
        const operands = kernel.operands.map((kind) => generate(rng, kind, width));
        // Canonical form: undefined bits carry value 0 (the kernels rely on it).
        for (const operand of operands) operand.bits &= ~operand.mask;
        operands.forEach((operand, i) => {
          storeBigInt(frame, slots[i], operand.bits, operand.mask, operand.width);
        });
        kernel.run(frame, dst, slots, width);
        const resultWidth = kernel.resultWidth ? kernel.resultWidth(width) : width;
        const all = (1n << BigInt(resultWidth)) - 1n;
        const bits = loadBits(frame, dst);
        const mask = loadUndefinedMask(frame, dst);
        const where = () => describeCase(testSeed ^ hash(kernel.name), index, width, operands);
        if ((bits & mask) !== 0n || (bits & ~all) !== 0n || (mask & ~all) !== 0n) {
          expect.fail(
            `non-canonical result bits=0x${bits.toString(16)} mask=0x${mask.toString(16)}; ${where()}`,
          );
        }
        const allDefined = operands.every((operand) => operand.mask === 0n);
        const tries = allDefined ? 1 : CONCRETISATIONS;
        for (let t = 0; t < tries; t++) {
          const concrete = operands.map((operand) => concretise(rng, operand));
          const expected = truncate(kernel.reference(concrete, width), resultWidth);
          if (((expected ^ bits) & ~mask & all) !== 0n) {
            expect.fail(
              `unsound: concrete inputs [${concrete.map((c) => `0x${c.toString(16)}`).join(', ')}] give 0x${expected.toString(16)}, ` +
                `domain says 0x${bits.toString(16)} with undefined 0x${mask.toString(16)}; ${where()}`,
            );
          }
        }
        if (allDefined && mask !== 0n) {
          expect.fail(
            `inexact: all inputs defined but result has undefined 0x${mask.toString(16)}; ${where()}`,
          );
        }
      }
    });
  }

  for (const signedDivision of [false, true]) {
    const name = signedDivision ? 'divideSigned' : 'divideUnsigned';
    it(name, () => {
      const seed = testSeed ^ hash(name);
      const rng = new Random(seed);
      const frame = createFrame(8);
      const kernel = signedDivision ? kernels.divideSigned : kernels.divideUnsigned;
      const referenceDivide = signedDivision ? reference.divideSigned : reference.divideUnsigned;
      for (let index = 0; index < CASES; index++) {
        const width = rng.pick(WIDTHS.filter((w) => w >= 2));
        // Mostly dividends whose high half is small enough for the quotient to fit.
        const divisor = rng.interestingBits(width);
        const high =
          rng.below(3) === 0 ? rng.interestingBits(width) : rng.bits(width) % (divisor === 0n ? 1n : divisor);
        const signedHigh = signedDivision && rng.below(2) === 0 ? truncate(-1n, width) : high;
        const low = rng.interestingBits(width);
        const masks = [0n, 0n, 0n].map(() => (rng.below(4) === 0 ? rng.mask(width) : 0n));
        const operands = [signedDivision ? signedHigh : high, low, divisor].map((value, i) => ({
          width,
          bits: value & ~masks[i],
          mask: masks[i],
        }));
        operands.forEach((operand, i) => {
          storeBigInt(frame, i * 4, operand.bits, operand.mask, width);
        });
        const status = kernel(frame, 12, 16, 0, 4, 8, width);
        const where = describeCase(seed, index, width, operands);
        const [expectedStatus, q, r] = referenceDivide(
          operands[0].bits,
          operands[1].bits,
          operands[2].bits,
          width,
        );
        expect(status, `status; ${where}`).toBe(expectedStatus);
        const allDefined = masks.every((m) => m === 0n);
        if (status === 0 && allDefined) {
          expect(loadUndefinedMask(frame, 12), `quotient mask; ${where}`).toBe(0n);
          expect(loadBits(frame, 12), `quotient; ${where}`).toBe(q);
          expect(loadBits(frame, 16), `remainder; ${where}`).toBe(r);
        } else {
          // Any undefined input (or a failed division) leaves both results wholly undefined.
          const all = (1n << BigInt(width)) - 1n;
          expect(loadUndefinedMask(frame, 12), `quotient mask; ${where}`).toBe(all);
          expect(loadUndefinedMask(frame, 16), `remainder mask; ${where}`).toBe(all);
        }
      }
    });
  }
});

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
