/**
 * Soundness and exactness of the bit-field kernels (PDEP, PEXT, the CRC32 step) against independent
 * BigInt references written from the SDM's Operation sections (CRC32 by polynomial division with bit
 * reflection, not the bit-serial loop the kernel uses). Seed: VIAL_SEED; cases: VIAL_CASES.
 */
import { describe, expect, it } from 'vitest';
import { kernels } from '../../src/value/index.js';
import { createFrame, loadBits, loadUndefinedMask, storeBigInt } from '../../src/value/layout.js';
import { caseCount, Random, testSeed } from '../support/random.js';

const CASES = caseCount(5_000);
const CONCRETISATIONS = 8;

const bitAt = (value: bigint, index: number) => (value >> BigInt(index)) & 1n;

/** SDM "PDEP": TEMP ← SRC1; MASK ← SRC2; DEST[m] ← TEMP[k] for each set MASK[m], in order. */
function depositReference(source: bigint, mask: bigint, width: number): bigint {
  let result = 0n;
  let k = 0;
  for (let m = 0; m < width; m++) {
    if (bitAt(mask, m)) result |= bitAt(source, k++) << BigInt(m);
  }
  return result;
}

/** SDM "PEXT": DEST[k] ← TEMP[m] for each set MASK[m], in order. */
function extractReference(source: bigint, mask: bigint, width: number): bigint {
  let result = 0n;
  let k = 0;
  for (let m = 0; m < width; m++) {
    if (bitAt(mask, m)) result |= bitAt(source, m) << BigInt(k++);
  }
  return result;
}

function reflect(value: bigint, width: number): bigint {
  let result = 0n;
  for (let i = 0; i < width; i++) result |= bitAt(value, i) << BigInt(width - 1 - i);
  return result;
}

/** SDM "CRC32": BIT_REFLECT, shift, XOR, MOD2 by 11EDC6F41H, BIT_REFLECT. */
function crcReference(crc: bigint, data: bigint, dataWidth: number): bigint {
  const polynomial = 0x11edc6f41n;
  let dividend = (reflect(data, dataWidth) << 32n) ^ (reflect(crc, 32) << BigInt(dataWidth));
  for (let bit = dataWidth + 31; bit >= 32; bit--) {
    if (bitAt(dividend, bit)) dividend ^= polynomial << BigInt(bit - 32);
  }
  return reflect(dividend, 32);
}

interface BitfieldKernel {
  readonly name: string;
  /** Operand widths for a case width; result width. */
  readonly widths: (width: number) => [number, number];
  readonly resultWidth: (width: number) => number;
  readonly caseWidths: readonly number[];
  readonly run: (f: Uint32Array, dst: number, a: number, b: number, width: number) => void;
  readonly reference: (a: bigint, b: bigint, width: number) => bigint;
}

const cases: BitfieldKernel[] = [
  {
    name: 'parallelDeposit',
    widths: (w) => [w, w],
    resultWidth: (w) => w,
    caseWidths: [1, 5, 8, 16, 31, 32, 33, 63, 64],
    run: (f, d, a, b, w) => kernels.parallelDeposit(f, d, a, b, w),
    reference: depositReference,
  },
  {
    name: 'parallelExtract',
    widths: (w) => [w, w],
    resultWidth: (w) => w,
    caseWidths: [1, 5, 8, 16, 31, 32, 33, 63, 64],
    run: (f, d, a, b, w) => kernels.parallelExtract(f, d, a, b, w),
    reference: extractReference,
  },
  {
    name: 'crc32c',
    widths: (w) => [32, w],
    resultWidth: () => 32,
    caseWidths: [8, 16, 32, 64],
    run: (f, d, a, b, w) => kernels.crc32c(f, d, a, b, w),
    reference: (crc, data, w) => crcReference(crc, data, w),
  },
];

/** A random mask: none, one bit, a few bits, or a random half of them. */
function randomMask(rng: Random, width: number): bigint {
  switch (rng.below(4)) {
    case 0:
      return 0n;
    case 1:
      return 1n << BigInt(rng.below(width));
    case 2:
      return rng.bits(width) & rng.bits(width) & rng.bits(width);
    default:
      return rng.bits(width);
  }
}

function concretise(rng: Random, bits: bigint, mask: bigint, width: number): bigint {
  return bits | (rng.bits(width) & mask);
}

describe('bit-field kernels: soundness and exactness', () => {
  for (const kernel of cases) {
    it(kernel.name, () => {
      const seed = testSeed ^ kernel.name.length;
      const rng = new Random(seed);
      const frame = createFrame(4);
      for (let index = 0; index < CASES; index++) {
        const width = rng.pick(kernel.caseWidths);
        const [widthA, widthB] = kernel.widths(width);
        const resultWidth = kernel.resultWidth(width);
        const maskA = randomMask(rng, widthA);
        const maskB = rng.below(2) === 0 ? 0n : randomMask(rng, widthB);
        const bitsA = rng.interestingBits(widthA) & ~maskA;
        const bitsB = rng.interestingBits(widthB) & ~maskB;
        storeBigInt(frame, 4, bitsA, maskA, widthA);
        storeBigInt(frame, 8, bitsB, maskB, widthB);
        kernel.run(frame, 12, 4, 8, width);
        const bits = loadBits(frame, 12);
        const mask = loadUndefinedMask(frame, 12);
        const all = (1n << BigInt(resultWidth)) - 1n;
        const where = `seed ${seed}, case ${index}, width ${width}, a=0x${bitsA.toString(16)}/?0x${maskA.toString(16)}, b=0x${bitsB.toString(16)}/?0x${maskB.toString(16)}`;
        expect((bits & mask) | (bits & ~all) | (mask & ~all), `canonical; ${where}`).toBe(0n);
        if (maskA === 0n && maskB === 0n) {
          expect(mask, `exact on defined inputs; ${where}`).toBe(0n);
          expect(bits, `value; ${where}`).toBe(kernel.reference(bitsA, bitsB, width));
          continue;
        }
        for (let t = 0; t < CONCRETISATIONS; t++) {
          const a = concretise(rng, bitsA, maskA, widthA);
          const b = concretise(rng, bitsB, maskB, widthB);
          const expected = kernel.reference(a, b, width);
          expect(
            (expected ^ bits) & ~mask & all,
            `unsound for a=0x${a.toString(16)} b=0x${b.toString(16)}; ${where}`,
          ).toBe(0n);
        }
      }
    });
  }
});

describe('bit-field kernels: precision', () => {
  const frame = createFrame(4);
  const run = (kernel: BitfieldKernel, a: [bigint, bigint], b: [bigint, bigint], width: number) => {
    const [widthA, widthB] = kernel.widths(width);
    storeBigInt(frame, 4, a[0], a[1], widthA);
    storeBigInt(frame, 8, b[0], b[1], widthB);
    kernel.run(frame, 12, 4, 8, width);
    return { bits: loadBits(frame, 12), mask: loadUndefinedMask(frame, 12) };
  };
  const [deposit, extract, crc] = cases;

  it('pdep with a defined mask: exactly the routed source bits are undefined', () => {
    // mask 0b1010_0100: source bits 0, 1, 2 go to 2, 5, 7; source bit 1 undefined → result bit 5.
    expect(run(deposit, [0b101n, 0b010n], [0b1010_0100n, 0n], 8)).toEqual({
      bits: 0b1000_0100n,
      mask: 0b0010_0000n,
    });
  });

  it('pdep with an undefined mask bit: defined below it, and defined 0 wherever the mask is a defined 0', () => {
    // mask 0b?001: bit 0 routes source bit 0 (1); bit 3 is unknown; bits 1, 2 are defined zeros.
    expect(run(deposit, [0b11n, 0n], [0b0001n, 0b1000n], 4)).toEqual({ bits: 0b0001n, mask: 0b1000n });
  });

  it('pext with an undefined mask bit: bits beyond the most that can be selected are a defined 0', () => {
    // mask 0b?0_1 over 3 bits: bit 0 selects source bit 0; bit 2 may add one more result bit.
    expect(run(extract, [0b001n, 0n], [0b001n, 0b100n], 8)).toEqual({ bits: 0b01n, mask: 0b10n });
  });

  it('crc32c: the known answer for "123456789" (0xE3069283, initial ~0, final inversion)', () => {
    let value = 0xffff_ffffn;
    for (const byte of new TextEncoder().encode('123456789'))
      value = run(crc, [value, 0n], [BigInt(byte), 0n], 8).bits;
    expect(value ^ 0xffff_ffffn).toBe(0xe306_9283n);
  });

  it('crc32c: one undefined data bit makes exactly the bits it feeds undefined', () => {
    const { mask } = run(crc, [0n, 0n], [0n, 1n], 8);
    expect(mask).toBe(crcReference(0n, 1n, 8));
    expect(mask).not.toBe(0xffff_ffffn);
  });
});
