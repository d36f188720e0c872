import { HIGH_WORD_MASK, LOW_WORD_MASK } from './layout.js';

/**
 * 64-bit helpers on (low, high) word pairs, so 64-bit values never need `BigInt`.
 * Each helper returns the low word and leaves the high word in {@link pairHigh}
 * (a module-level result register: no allocation, read it right after the call).
 * Internal to the value domain.
 */

/** The high word of the last helper's result. */
export let pairHigh = 0;

/** `(low, high) << count` for count 0..63 (larger counts give 0). */
export function shiftLeftPair(low: number, high: number, count: number): number {
  if (count === 0) {
    pairHigh = high >>> 0;
    return low >>> 0;
  }
  if (count >= 64) {
    pairHigh = 0;
    return 0;
  }
  if (count >= 32) {
    pairHigh = (low << (count - 32)) >>> 0;
    return 0;
  }
  pairHigh = ((high << count) | (low >>> (32 - count))) >>> 0;
  return (low << count) >>> 0;
}

/** `(low, high) >>> count` (logical) for count 0..63 (larger counts give 0). */
export function shiftRightPair(low: number, high: number, count: number): number {
  if (count === 0) {
    pairHigh = high >>> 0;
    return low >>> 0;
  }
  if (count >= 64) {
    pairHigh = 0;
    return 0;
  }
  if (count >= 32) {
    pairHigh = 0;
    return high >>> (count - 32);
  }
  pairHigh = high >>> count;
  return ((low >>> count) | (high << (32 - count))) >>> 0;
}

/** `(low, high) >> count` (arithmetic, on the full 64 bits) for count 0..63 (larger counts: 63). */
export function shiftRightArithmeticPair(low: number, high: number, count: number): number {
  if (count === 0) {
    pairHigh = high >>> 0;
    return low >>> 0;
  }
  if (count >= 32) {
    const shift = Math.min(count - 32, 31);
    pairHigh = (high >> 31) >>> 0;
    return (high >> shift) >>> 0;
  }
  pairHigh = (high >> count) >>> 0;
  return ((low >>> count) | (high << (32 - count))) >>> 0;
}

/**
 * Sign-extends a `width`-bit value held in (low, high) to 64 bits: copies bit `width - 1` into all
 * higher bits.
 */
export function signExtendPair(low: number, high: number, width: number): number {
  if (width >= 64) {
    pairHigh = high >>> 0;
    return low >>> 0;
  }
  const signSet = width > 32 ? (high >>> (width - 33)) & 1 : (low >>> (width - 1)) & 1;
  if (!signSet) {
    pairHigh = high >>> 0;
    return low >>> 0;
  }
  if (width > 32) {
    pairHigh = (high | ~(2 ** (width - 32) - 1)) >>> 0;
    return low >>> 0;
  }
  pairHigh = 0xffffffff;
  return width === 32 ? low >>> 0 : (low | ~(2 ** width - 1)) >>> 0;
}

/** Rotates the pair left by `n` (0 <= n < width) within `width` bits; returns low, high in pairHigh. */
export function rotateLeftPair(low: number, high: number, n: number, width: number): number {
  if (n === 0) {
    return shiftLeftPair(low, high, 0);
  }
  const upperLow = shiftLeftPair(low, high, n);
  const upperHigh = pairHigh;
  const wrappedLow = shiftRightPair(low, high, width - n);
  pairHigh = ((upperHigh | pairHigh) & HIGH_WORD_MASK[width]) >>> 0;
  return ((upperLow | wrappedLow) & LOW_WORD_MASK[width]) >>> 0;
}

/** Bit `index` (0..63) of the pair. */
export function bitOfPair(low: number, high: number, index: number): number {
  return index >= 32 ? (high >>> (index - 32)) & 1 : (low >>> index) & 1;
}

/** Index of the lowest set bit of the pair, or 64 when it is zero. */
export function lowestSetBit(low: number, high: number): number {
  if (low !== 0) return 31 - Math.clz32(low & -low);
  if (high !== 0) return 63 - Math.clz32(high & -high);
  return 64;
}

/** Index of the highest set bit of the pair, or -1 when it is zero. */
export function highestSetBit(low: number, high: number): number {
  if (high !== 0) return 63 - Math.clz32(high);
  if (low !== 0) return 31 - Math.clz32(low);
  return -1;
}
