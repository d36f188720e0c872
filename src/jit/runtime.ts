/**
 * Helpers that compiled blocks call for concrete (fully defined) values: the operations too long to
 * inline in generated code. Each one mirrors, for defined inputs, the kernel of the same name in
 * `src/value/` — the compiled path is differentially tested against the interpreter, which runs the
 * kernels, so any disagreement fails `test/jit/`.
 */

import { popcount32 } from '../value/counting.js';
import { DivisionStatus, divideSigned, divideUnsigned } from '../value/division.js';
import { SLOT_WORDS } from '../value/layout.js';
import { highestSetBit, lowestSetBit } from '../value/pair.js';

/** Number of 1 bits of a 32-bit word (the value domain's). */
export const populationCount32 = popcount32;

/** High 32 bits of the unsigned 64-bit product of two unsigned 32-bit numbers. */
export function multiplyHighUnsigned32(a: number, b: number): number {
  // Split into 16-bit halves so every partial product is exact in a double.
  const aLow = a & 0xffff,
    aHigh = a >>> 16,
    bLow = b & 0xffff,
    bHigh = b >>> 16;
  const lowLow = aLow * bLow;
  const middle = aHigh * bLow + (lowLow >>> 16) + ((aLow * bHigh) & 0xffff);
  return (aHigh * bHigh + ((aLow * bHigh) >>> 16) + Math.floor(middle / 65536)) >>> 0;
}

/** High 32 bits of the signed 64-bit product of two 32-bit numbers (given as unsigned words). */
export function multiplyHighSigned32(a: number, b: number): number {
  let high = multiplyHighUnsigned32(a, b);
  // (a - 2^32·[a<0])·(b - 2^32·[b<0]): subtract the cross terms from the high word.
  if ((a | 0) < 0) high -= b;
  if ((b | 0) < 0) high -= a;
  return high >>> 0;
}

/** 1 when the low byte has an even number of 1 bits (x86 PF), by table. */
export const EVEN_PARITY = Uint8Array.from({ length: 256 }, (_, byte) => (populationCount32(byte) & 1) ^ 1);

/** Trailing zero count of (low, high) within `width` bits (`width` for zero). */
export function countTrailingZeros64(low: number, high: number, width: number): number {
  return Math.min(lowestSetBit(low, high), width);
}

/** Leading zero count of (low, high) within `width` bits (`width` for zero). */
export function countLeadingZeros64(low: number, high: number, width: number): number {
  return width - 1 - highestSetBit(low, high);
}

/**
 * The last division's results: quotient low and high words, remainder low and high words, and 1
 * when DIV/IDIV raises #DE. A typed array: numbers stored unboxed, nothing allocated per division.
 */
export const division = new Float64Array(5);

function setDivision(
  quotientLow: number,
  quotientHigh: number,
  remainderLow: number,
  remainderHigh: number,
  fails: number,
): void {
  division[0] = quotientLow;
  division[1] = quotientHigh;
  division[2] = remainderLow;
  division[3] = remainderHigh;
  division[4] = fails;
}

/**
 * DIV with 8-, 16- or 32-bit operands: `high:low` by `divisor`, into {@link division}. When the
 * quotient fits (high < divisor), long division in 16-bit steps stays exact in doubles; divide
 * errors go to the kernel (whose results the raised #DE discards anyway).
 */
export function divideUnsignedNarrow(
  highLow: number,
  lowLow: number,
  divisorLow: number,
  width: number,
): void {
  if (divisorLow === 0 || highLow >= divisorLow)
    return divideByKernel(false, highLow, 0, lowLow, 0, divisorLow, 0, width);
  if (width < 32) {
    const dividend = highLow * 2 ** width + lowLow;
    const quotient = Math.floor(dividend / divisorLow);
    return setDivision(quotient, 0, dividend - quotient * divisorLow, 0, 0);
  }
  const upper = highLow * 65536 + (lowLow >>> 16);
  const upperQuotient = Math.floor(upper / divisorLow);
  const lower = (upper - upperQuotient * divisorLow) * 65536 + (lowLow & 0xffff);
  const lowerQuotient = Math.floor(lower / divisorLow);
  setDivision(upperQuotient * 65536 + lowerQuotient, 0, lower - lowerQuotient * divisorLow, 0, 0);
}

/** IDIV with 8-, 16- or 32-bit operands (a 32-bit dividend must fit 32 signed bits, as after CDQ). */
export function divideSignedNarrow(highLow: number, lowLow: number, divisorLow: number, width: number): void {
  let dividend: number;
  if (width === 32) {
    if (divisorLow === 0 || highLow !== ((lowLow | 0) < 0 ? 0xffffffff : 0)) {
      return divideByKernel(true, highLow, 0, lowLow, 0, divisorLow, 0, width);
    }
    dividend = lowLow | 0;
  } else {
    if (divisorLow === 0) return divideByKernel(true, highLow, 0, lowLow, 0, divisorLow, 0, width);
    const shift = 32 - 2 * width;
    dividend = (((highLow << width) | lowLow) << shift) >> shift;
  }
  const divisor = (divisorLow << (32 - width)) >> (32 - width);
  const quotient = Math.trunc(dividend / divisor);
  const mask = width === 32 ? 0xffffffff : 2 ** width - 1;
  const limit = 2 ** (width - 1);
  setDivision(
    (quotient & mask) >>> 0,
    0,
    ((dividend - quotient * divisor) & mask) >>> 0,
    0,
    quotient >= limit || quotient < -limit ? 1 : 0,
  );
}

/** DIV/IDIV with 64-bit operands: `xor edx, edx; div` on numbers below 2^52 in doubles, the rest by kernel. */
export function divideWide(
  signed: boolean,
  highLow: number,
  highHigh: number,
  lowLow: number,
  lowHigh: number,
  divisorLow: number,
  divisorHigh: number,
): void {
  if (
    !signed &&
    (highLow | highHigh) === 0 &&
    lowHigh < 2 ** 20 &&
    divisorHigh < 2 ** 20 &&
    (divisorLow | divisorHigh) !== 0
  ) {
    const divisor = divisorHigh * 2 ** 32 + divisorLow;
    const dividend = lowHigh * 2 ** 32 + lowLow;
    let quotient = Math.floor(dividend / divisor);
    let remainder = dividend - quotient * divisor;
    // One correction step: the rounded double quotient can be one too large or too small.
    if (remainder < 0) {
      quotient -= 1;
      remainder += divisor;
    } else if (remainder >= divisor) {
      quotient += 1;
      remainder -= divisor;
    }
    // `>>> 0` takes an integer double modulo 2^32 exactly and, unlike `%` on doubles (a C call in
    // V8), compiles to a few instructions; both values are below 2^53.
    return setDivision(
      quotient >>> 0,
      (quotient / 2 ** 32) >>> 0,
      remainder >>> 0,
      (remainder / 2 ** 32) >>> 0,
      0,
    );
  }
  divideByKernel(signed, highLow, highHigh, lowLow, lowHigh, divisorLow, divisorHigh, 64);
}

// The kernels' frame for the divisions the fast paths do not cover (slots: scratch, dividend high,
// dividend low, divisor, quotient, remainder).
const divisionFrame = new Uint32Array(6 * SLOT_WORDS);

/** Any division, by the value domain's kernel (the reference the fast paths must agree with). */
function divideByKernel(
  signed: boolean,
  highLow: number,
  highHigh: number,
  lowLow: number,
  lowHigh: number,
  divisorLow: number,
  divisorHigh: number,
  width: number,
): void {
  const f = divisionFrame;
  f[4] = highLow;
  f[5] = highHigh;
  f[8] = lowLow;
  f[9] = lowHigh;
  f[12] = divisorLow;
  f[13] = divisorHigh;
  f[6] = f[7] = f[10] = f[11] = f[14] = f[15] = 0;
  const kernel = signed ? divideSigned : divideUnsigned;
  const status = kernel(f, 4 * SLOT_WORDS, 5 * SLOT_WORDS, SLOT_WORDS, 2 * SLOT_WORDS, 3 * SLOT_WORDS, width);
  setDivision(f[16], f[17], f[20], f[21], status === DivisionStatus.ok ? 0 : 1);
}
