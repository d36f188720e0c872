/**
 * Counting and comparison kernels of the precise domain: population count, leading/trailing zero
 * counts, parity, zero test and the three comparisons the IR needs (equal, unsigned less, signed
 * less). Counts are exact over intervals: the count lies between the counts of the smallest and the
 * largest concretisation, and every bit above the highest bit where those two differ is shared by
 * every number in between, so it is defined.
 */
import { store } from './layout.js';
import { highestSetBit, lowestSetBit } from './pair.js';

/** Stores a small count known to lie in [min, max]: bits above their highest differing bit are defined. */
function storeRange(f: Uint32Array, dst: number, min: number, max: number, width: number): void {
  const differing = min ^ max;
  const undefinedBits = differing === 0 ? 0 : 2 ** (32 - Math.clz32(differing)) - 1;
  store(f, dst, min, 0, undefinedBits, 0, width);
}

/** Number of 1 bits of a 32-bit word. */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Number of 1 bits of `a` (POPCNT), as a `width`-bit value. */
export function populationCount(f: Uint32Array, dst: number, a: number, width: number): void {
  const min = popcount32(f[a]) + popcount32(f[a + 1]);
  const max = popcount32(f[a] | f[a + 2]) + popcount32(f[a + 1] | f[a + 3]);
  storeRange(f, dst, min, max, width);
}

/** Number of 0 bits below the lowest 1 of `a` (TZCNT); `width` when `a` is 0. */
export function countTrailingZeros(f: Uint32Array, dst: number, a: number, width: number): void {
  // Fewest zeros when every undefined bit is 1; most when every undefined bit is 0.
  const min = Math.min(lowestSetBit(f[a] | f[a + 2], f[a + 1] | f[a + 3]), width);
  const max = Math.min(lowestSetBit(f[a], f[a + 1]), width);
  storeRange(f, dst, min, max, width);
}

/** Number of 0 bits above the highest 1 of `a` within `width` bits (LZCNT); `width` when `a` is 0. */
export function countLeadingZeros(f: Uint32Array, dst: number, a: number, width: number): void {
  const min = width - 1 - highestSetBit(f[a] | f[a + 2], f[a + 1] | f[a + 3]);
  const max = width - 1 - highestSetBit(f[a], f[a + 1]);
  storeRange(f, dst, min, max, width);
}

/** 1 when `a` has an even number of 1 bits (x86 PF, applied to the low byte). Defined when `a` is. */
export function evenParity(f: Uint32Array, dst: number, a: number, _width: number): void {
  const ones = popcount32(f[a]) + popcount32(f[a + 1]);
  const undefinedBit = (f[a + 2] | f[a + 3]) !== 0 ? 1 : 0;
  store(f, dst, (ones & 1) ^ 1, 0, undefinedBit, 0, 1);
}

/** 1 when `a` is zero (x86 ZF). A defined 1 bit makes it a defined 0 whatever the other bits are. */
export function isZero(f: Uint32Array, dst: number, a: number, _width: number): void {
  if ((f[a] | f[a + 1]) !== 0) return store(f, dst, 0, 0, 0, 0, 1);
  const undefinedBit = (f[a + 2] | f[a + 3]) !== 0 ? 1 : 0;
  store(f, dst, 1, 0, undefinedBit, 0, 1);
}

/** 1 when `a == b`. A bit defined on both sides with different values decides it. */
export function equal(f: Uint32Array, dst: number, a: number, b: number, _width: number): void {
  const bothDefinedLow = ~(f[a + 2] | f[b + 2]),
    bothDefinedHigh = ~(f[a + 3] | f[b + 3]);
  if (((f[a] ^ f[b]) & bothDefinedLow) !== 0 || ((f[a + 1] ^ f[b + 1]) & bothDefinedHigh) !== 0) {
    return store(f, dst, 0, 0, 0, 0, 1);
  }
  const undefinedBit = (f[a + 2] | f[a + 3] | f[b + 2] | f[b + 3]) !== 0 ? 1 : 0;
  store(f, dst, 1, 0, undefinedBit, 0, 1);
}

function lessThanPair(aLow: number, aHigh: number, bLow: number, bHigh: number): boolean {
  return aHigh < bHigh || (aHigh === bHigh && aLow < bLow);
}

/**
 * Compares [aMin, aMax] with [bMin, bMax] (words already biased for signedness): a defined 1 when
 * every a is below every b, a defined 0 when none is, else undefined.
 */
function storeLess(
  f: Uint32Array,
  dst: number,
  aMinLow: number,
  aMinHigh: number,
  aMaxLow: number,
  aMaxHigh: number,
  bMinLow: number,
  bMinHigh: number,
  bMaxLow: number,
  bMaxHigh: number,
): void {
  if (lessThanPair(aMaxLow, aMaxHigh, bMinLow, bMinHigh)) return store(f, dst, 1, 0, 0, 0, 1);
  if (!lessThanPair(aMinLow, aMinHigh, bMaxLow, bMaxHigh)) return store(f, dst, 0, 0, 0, 0, 1);
  store(f, dst, 0, 0, 1, 0, 1);
}

/** 1 when `a < b` as unsigned numbers. */
export function lessUnsigned(f: Uint32Array, dst: number, a: number, b: number, _width: number): void {
  storeLess(
    f,
    dst,
    f[a],
    f[a + 1],
    (f[a] | f[a + 2]) >>> 0,
    (f[a + 1] | f[a + 3]) >>> 0,
    f[b],
    f[b + 1],
    (f[b] | f[b + 2]) >>> 0,
    (f[b + 1] | f[b + 3]) >>> 0,
  );
}

/**
 * 1 when `a < b` as signed (two's-complement) numbers. Flipping the sign bit maps signed order onto
 * unsigned order; an undefined sign bit then ranges over both halves, as it should.
 */
export function lessSigned(f: Uint32Array, dst: number, a: number, b: number, width: number): void {
  const signLow = width <= 32 ? 2 ** (width - 1) : 0;
  const signHigh = width > 32 ? 2 ** (width - 33) : 0;
  const aLow = (f[a] ^ (signLow & ~f[a + 2])) >>> 0,
    aHigh = (f[a + 1] ^ (signHigh & ~f[a + 3])) >>> 0;
  const bLow = (f[b] ^ (signLow & ~f[b + 2])) >>> 0,
    bHigh = (f[b + 1] ^ (signHigh & ~f[b + 3])) >>> 0;
  storeLess(
    f,
    dst,
    aLow,
    aHigh,
    (aLow | f[a + 2]) >>> 0,
    (aHigh | f[a + 3]) >>> 0,
    bLow,
    bHigh,
    (bLow | f[b + 2]) >>> 0,
    (bHigh | f[b + 3]) >>> 0,
  );
}
