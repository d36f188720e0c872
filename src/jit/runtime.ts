/**
 * Helpers that compiled blocks call for concrete (fully defined) values: the operations too long to
 * inline in generated code. Each one mirrors, for defined inputs, the kernel of the same name in
 * `src/value/` — the compiled path is differentially tested against the interpreter, which runs the
 * kernels, so any disagreement fails `test/jit/`.
 */

import { DivisionStatus, divideSigned, divideUnsigned } from '../value/division.js';
import { SLOT_WORDS } from '../value/layout.js';

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

/** Number of 1 bits of a 32-bit word. */
export function populationCount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** 1 when the low byte has an even number of 1 bits (x86 PF), by table. */
export const EVEN_PARITY = Uint8Array.from({ length: 256 }, (_, byte) => (populationCount32(byte) & 1) ^ 1);

/** Trailing zero count of (low, high) within `width` bits (`width` for zero). */
export function countTrailingZeros64(low: number, high: number, width: number): number {
  if (low !== 0) return Math.min(31 - Math.clz32(low & -low), width);
  if (high !== 0) return Math.min(63 - Math.clz32(high & -high), width);
  return width;
}

/** Leading zero count of (low, high) within `width` bits (`width` for zero). */
export function countLeadingZeros64(low: number, high: number, width: number): number {
  if (high !== 0) return width - 64 + Math.clz32(high);
  if (low !== 0) return width - 32 + Math.clz32(low);
  return width;
}

/** The last {@link divide}: quotient and remainder words, and 1 when DIV/IDIV raises #DE. */
export const division = { quotientLow: 0, quotientHigh: 0, remainderLow: 0, remainderHigh: 0, fails: 0 };

// The kernels' frame for the divisions the fast paths below do not cover (slots: scratch,
// dividend high, dividend low, divisor, quotient, remainder).
const divisionFrame = new Uint32Array(6 * SLOT_WORDS);

/**
 * Divides the double-width `high:low` by `divisor` (each given as two words) for DIV (`signed`
 * false) or IDIV, `width` bits, into {@link division}. Defined inputs only. Quotients of up to 32
 * bits from dividends that fit a double take a fast path; the rest runs the value domain's kernel.
 */
export function divide(
  signed: boolean,
  highLow: number,
  highHigh: number,
  lowLow: number,
  lowHigh: number,
  divisorLow: number,
  divisorHigh: number,
  width: number,
): void {
  if (!signed && width <= 32 && divisorLow !== 0 && highLow < divisorLow) {
    // The quotient fits (high < divisor); long division in 16-bit steps stays exact in doubles.
    let quotient: number, remainder: number;
    if (width < 32) {
      const dividend = highLow * 2 ** width + lowLow;
      quotient = Math.floor(dividend / divisorLow);
      remainder = dividend - quotient * divisorLow;
    } else {
      const upper = highLow * 65536 + (lowLow >>> 16);
      const upperQuotient = Math.floor(upper / divisorLow);
      const lower = (upper - upperQuotient * divisorLow) * 65536 + (lowLow & 0xffff);
      const lowerQuotient = Math.floor(lower / divisorLow);
      quotient = upperQuotient * 65536 + lowerQuotient;
      remainder = lower - lowerQuotient * divisorLow;
    }
    division.quotientLow = quotient;
    division.quotientHigh = 0;
    division.remainderLow = remainder;
    division.remainderHigh = 0;
    division.fails = 0;
    return;
  }
  if (signed && width <= 32 && divisorLow !== 0) {
    // IDIV with a dividend that fits 32 signed bits (always for 8 and 16 bits; after CDQ for 32).
    let dividend = -1;
    let fits = true;
    if (width === 32) {
      fits = highLow === ((lowLow | 0) < 0 ? 0xffffffff : 0);
      dividend = lowLow | 0;
    } else {
      const shift = 32 - 2 * width;
      dividend = (((highLow << width) | lowLow) << shift) >> shift;
    }
    if (fits) {
      const divisor = (divisorLow << (32 - width)) >> (32 - width);
      const quotient = Math.trunc(dividend / divisor);
      const mask = width === 32 ? 0xffffffff : 2 ** width - 1;
      const limit = 2 ** (width - 1);
      division.quotientLow = (quotient & mask) >>> 0;
      division.quotientHigh = 0;
      division.remainderLow = ((dividend - quotient * divisor) & mask) >>> 0;
      division.remainderHigh = 0;
      division.fails = quotient >= limit || quotient < -limit ? 1 : 0;
      return;
    }
  }
  if (!signed && width === 64 && (highLow | highHigh) === 0 && lowHigh < 2 ** 20 && divisorHigh < 2 ** 20) {
    // 64-bit DIV after `xor edx, edx` with numbers below 2^52: doubles, corrected by one step.
    const divisor = divisorHigh * 2 ** 32 + divisorLow;
    if (divisor !== 0) {
      const dividend = lowHigh * 2 ** 32 + lowLow;
      let quotient = Math.floor(dividend / divisor);
      let remainder = dividend - quotient * divisor;
      if (remainder < 0) {
        quotient -= 1;
        remainder += divisor;
      } else if (remainder >= divisor) {
        quotient += 1;
        remainder -= divisor;
      }
      division.quotientLow = quotient % 2 ** 32;
      division.quotientHigh = Math.floor(quotient / 2 ** 32);
      division.remainderLow = remainder % 2 ** 32;
      division.remainderHigh = Math.floor(remainder / 2 ** 32);
      division.fails = 0;
      return;
    }
  }
  const f = divisionFrame;
  const words = [highLow, highHigh, lowLow, lowHigh, divisorLow, divisorHigh];
  for (let slot = 1; slot <= 3; slot++) {
    f[slot * SLOT_WORDS] = words[(slot - 1) * 2];
    f[slot * SLOT_WORDS + 1] = words[(slot - 1) * 2 + 1];
    f[slot * SLOT_WORDS + 2] = f[slot * SLOT_WORDS + 3] = 0;
  }
  const kernel = signed ? divideSigned : divideUnsigned;
  const status = kernel(f, 4 * SLOT_WORDS, 5 * SLOT_WORDS, SLOT_WORDS, 2 * SLOT_WORDS, 3 * SLOT_WORDS, width);
  division.quotientLow = f[4 * SLOT_WORDS];
  division.quotientHigh = f[4 * SLOT_WORDS + 1];
  division.remainderLow = f[5 * SLOT_WORDS];
  division.remainderHigh = f[5 * SLOT_WORDS + 1];
  division.fails = status === DivisionStatus.ok ? 0 : 1;
}
