/**
 * Bitwise kernels of the precise domain: logic, shifts, rotates, bit tests, extract/concat/extend
 * and select. Every kernel reads operand slots and writes a result slot of one frame (see
 * `layout.ts`), never allocates, and is *sound*: a bit it calls defined has the same value for every
 * choice of the operands' undefined bits. Propagation follows Valgrind Memcheck's rules and is exact
 * where the operation allows (an AND with a defined 0 is a defined 0, and so on).
 */
import { HIGH_WORD_MASK, LOW_WORD_MASK, store, storeUnknown } from './layout.js';
import {
  pairHigh,
  rotateLeftPair,
  shiftLeftPair,
  shiftRightArithmeticPair,
  shiftRightPair,
  signExtendPair,
} from './pair.js';

/** `a & b`: a bit is defined when both are defined, or when either is a defined 0. */
export function and(f: Uint32Array, dst: number, a: number, b: number, width: number): void {
  const aLow = f[a],
    aHigh = f[a + 1],
    aUndefLow = f[a + 2],
    aUndefHigh = f[a + 3];
  const bLow = f[b],
    bHigh = f[b + 1],
    bUndefLow = f[b + 2],
    bUndefHigh = f[b + 3];
  // A defined zero on either side forces a defined zero; canonical undefined bits have value 0.
  const undefLow = (aUndefLow | bUndefLow) & (aLow | aUndefLow) & (bLow | bUndefLow);
  const undefHigh = (aUndefHigh | bUndefHigh) & (aHigh | aUndefHigh) & (bHigh | bUndefHigh);
  store(f, dst, aLow & bLow, aHigh & bHigh, undefLow, undefHigh, width);
}

/** `a | b`: a bit is defined when both are defined, or when either is a defined 1. */
export function or(f: Uint32Array, dst: number, a: number, b: number, width: number): void {
  const aLow = f[a],
    aHigh = f[a + 1],
    aUndefLow = f[a + 2],
    aUndefHigh = f[a + 3];
  const bLow = f[b],
    bHigh = f[b + 1],
    bUndefLow = f[b + 2],
    bUndefHigh = f[b + 3];
  const undefLow = (aUndefLow | bUndefLow) & ~aLow & ~bLow;
  const undefHigh = (aUndefHigh | bUndefHigh) & ~aHigh & ~bHigh;
  store(f, dst, aLow | bLow, aHigh | bHigh, undefLow, undefHigh, width);
}

/** `a ^ b`: a bit is defined when both are defined. (`x ^ x` is handled by the IR, which sees the operands are equal.) */
export function xor(f: Uint32Array, dst: number, a: number, b: number, width: number): void {
  store(f, dst, f[a] ^ f[b], f[a + 1] ^ f[b + 1], f[a + 2] | f[b + 2], f[a + 3] | f[b + 3], width);
}

/** `~a`: the mask is unchanged. */
export function not(f: Uint32Array, dst: number, a: number, width: number): void {
  store(f, dst, ~f[a], ~f[a + 1], f[a + 2], f[a + 3], width);
}

/**
 * Reads a shift or rotate count from slot `count`. Returns -1 when any bit of it is undefined
 * (the result is then wholly undefined, as in Memcheck), else the count, saturated at 255.
 */
function readCount(f: Uint32Array, count: number): number {
  if ((f[count + 2] | f[count + 3]) !== 0) return -1;
  return f[count + 1] !== 0 || f[count] > 255 ? 255 : f[count];
}

/** `a << count`, zero-filling. Counts >= width give a defined 0. */
export function shiftLeft(f: Uint32Array, dst: number, a: number, count: number, width: number): void {
  const n = readCount(f, count);
  if (n < 0) return storeUnknown(f, dst, width);
  const low = shiftLeftPair(f[a], f[a + 1], n);
  const high = pairHigh;
  const undefLow = shiftLeftPair(f[a + 2], f[a + 3], n);
  store(f, dst, low, high, undefLow, pairHigh, width);
}

/** `a >>> count` (logical). Counts >= width give a defined 0. */
export function shiftRight(f: Uint32Array, dst: number, a: number, count: number, width: number): void {
  const n = readCount(f, count);
  if (n < 0) return storeUnknown(f, dst, width);
  const low = shiftRightPair(f[a], f[a + 1], n);
  const high = pairHigh;
  const undefLow = shiftRightPair(f[a + 2], f[a + 3], n);
  store(f, dst, low, high, undefLow, pairHigh, width);
}

/**
 * `a >> count` (arithmetic: copies of the sign bit shift in; an undefined sign bit shifts in
 * undefined bits). Counts >= width fill the whole result with the sign.
 */
export function shiftRightArithmetic(
  f: Uint32Array,
  dst: number,
  a: number,
  count: number,
  width: number,
): void {
  const n = readCount(f, count);
  if (n < 0) return storeUnknown(f, dst, width);
  const shift = Math.min(n, 63);
  const extendedLow = signExtendPair(f[a], f[a + 1], width);
  const low = shiftRightArithmeticPair(extendedLow, pairHigh, shift);
  const high = pairHigh;
  const extendedUndefLow = signExtendPair(f[a + 2], f[a + 3], width);
  const undefLow = shiftRightArithmeticPair(extendedUndefLow, pairHigh, shift);
  store(f, dst, low, high, undefLow, pairHigh, width);
}

/** Rotates `a` left by `count mod width`; the mask rotates with the bits. */
export function rotateLeft(f: Uint32Array, dst: number, a: number, count: number, width: number): void {
  const n = readCount(f, count);
  if (n < 0) return storeUnknown(f, dst, width);
  const low = rotateLeftPair(f[a], f[a + 1], n % width, width);
  const high = pairHigh;
  const undefLow = rotateLeftPair(f[a + 2], f[a + 3], n % width, width);
  store(f, dst, low, high, undefLow, pairHigh, width);
}

/** Rotates `a` right by `count mod width`; the mask rotates with the bits. */
export function rotateRight(f: Uint32Array, dst: number, a: number, count: number, width: number): void {
  const n = readCount(f, count);
  if (n < 0) return storeUnknown(f, dst, width);
  const left = (width - (n % width)) % width;
  const low = rotateLeftPair(f[a], f[a + 1], left, width);
  const high = pairHigh;
  const undefLow = rotateLeftPair(f[a + 2], f[a + 3], left, width);
  store(f, dst, low, high, undefLow, pairHigh, width);
}

// Result registers of rotateThroughCarry (value, mask, carry and its mask).
const carryRotation = new Uint32Array(6);

/**
 * Rotates the (width + 1)-bit quantity carry:a left (or right) by `count mod (width + 1)`, one bit
 * at a time (RCL/RCR are rare; clarity wins). Leaves the result in `carryRotation`; returns false
 * when the count is undefined.
 */
function rotateThroughCarry(
  f: Uint32Array,
  a: number,
  carry: number,
  count: number,
  width: number,
  left: boolean,
): boolean {
  const n = readCount(f, count);
  if (n < 0) return false;
  let low = f[a],
    high = f[a + 1],
    undefLow = f[a + 2],
    undefHigh = f[a + 3];
  let carryBit = f[carry] & 1,
    carryUndef = f[carry + 2] & 1;
  const top = width - 1;
  for (let step = n % (width + 1); step > 0; step--) {
    if (left) {
      const outBit = top >= 32 ? (high >>> (top - 32)) & 1 : (low >>> top) & 1;
      const outUndef = top >= 32 ? (undefHigh >>> (top - 32)) & 1 : (undefLow >>> top) & 1;
      high = ((high << 1) | (low >>> 31)) & HIGH_WORD_MASK[width];
      low = ((low << 1) | carryBit) & LOW_WORD_MASK[width];
      undefHigh = ((undefHigh << 1) | (undefLow >>> 31)) & HIGH_WORD_MASK[width];
      undefLow = ((undefLow << 1) | carryUndef) & LOW_WORD_MASK[width];
      carryBit = outBit;
      carryUndef = outUndef;
    } else {
      const outBit = low & 1,
        outUndef = undefLow & 1;
      low = (low >>> 1) | ((high & 1) << 31);
      high = high >>> 1;
      undefLow = (undefLow >>> 1) | ((undefHigh & 1) << 31);
      undefHigh = undefHigh >>> 1;
      if (top >= 32) {
        high |= carryBit << (top - 32);
        undefHigh |= carryUndef << (top - 32);
      } else {
        low |= carryBit << top;
        undefLow |= carryUndef << top;
      }
      carryBit = outBit;
      carryUndef = outUndef;
    }
  }
  carryRotation[0] = low;
  carryRotation[1] = high;
  carryRotation[2] = undefLow;
  carryRotation[3] = undefHigh;
  carryRotation[4] = carryBit;
  carryRotation[5] = carryUndef;
  return true;
}

/** RCL's value: rotates carry:a left by `count mod (width + 1)`. `carry` is a 1-bit slot. */
export function rotateCarryLeft(
  f: Uint32Array,
  dst: number,
  a: number,
  carry: number,
  count: number,
  width: number,
): void {
  if (!rotateThroughCarry(f, a, carry, count, width, true)) return storeUnknown(f, dst, width);
  const r = carryRotation;
  store(f, dst, r[0], r[1], r[2], r[3], width);
}

/** RCL's carry out: the bit left in the carry position after {@link rotateCarryLeft}. */
export function rotateCarryLeftCarryOut(
  f: Uint32Array,
  dst: number,
  a: number,
  carry: number,
  count: number,
  width: number,
): void {
  if (!rotateThroughCarry(f, a, carry, count, width, true)) return storeUnknown(f, dst, 1);
  store(f, dst, carryRotation[4], 0, carryRotation[5], 0, 1);
}

/** RCR's value: rotates a:carry right by `count mod (width + 1)`. */
export function rotateCarryRight(
  f: Uint32Array,
  dst: number,
  a: number,
  carry: number,
  count: number,
  width: number,
): void {
  if (!rotateThroughCarry(f, a, carry, count, width, false)) return storeUnknown(f, dst, width);
  const r = carryRotation;
  store(f, dst, r[0], r[1], r[2], r[3], width);
}

/** RCR's carry out. */
export function rotateCarryRightCarryOut(
  f: Uint32Array,
  dst: number,
  a: number,
  carry: number,
  count: number,
  width: number,
): void {
  if (!rotateThroughCarry(f, a, carry, count, width, false)) return storeUnknown(f, dst, 1);
  store(f, dst, carryRotation[4], 0, carryRotation[5], 0, 1);
}

/**
 * Bit number `index` of `a` as a 1-bit value (BT, and the carry out of shifts). An index at or
 * beyond the width gives a defined 0; an undefined index gives an undefined bit.
 */
export function testBit(f: Uint32Array, dst: number, a: number, index: number, width: number): void {
  const n = readCount(f, index);
  if (n < 0) return storeUnknown(f, dst, 1);
  if (n >= width) return store(f, dst, 0, 0, 0, 0, 1);
  const word = n >= 32 ? 1 : 0;
  const shift = n & 31;
  store(f, dst, f[a + word] >>> shift, 0, f[a + 2 + word] >>> shift, 0, 1);
}

/** Bits `lowBit .. lowBit + resultWidth - 1` of `a` (static position); defined bits stay defined. */
export function extract(f: Uint32Array, dst: number, a: number, lowBit: number, resultWidth: number): void {
  const low = shiftRightPair(f[a], f[a + 1], lowBit);
  const high = pairHigh;
  const undefLow = shiftRightPair(f[a + 2], f[a + 3], lowBit);
  store(f, dst, low, high, undefLow, pairHigh, resultWidth);
}

/** `high : low` — `high` shifted above the `lowWidth` bits of `low`, truncated to `resultWidth`. */
export function concat(
  f: Uint32Array,
  dst: number,
  high: number,
  low: number,
  lowWidth: number,
  resultWidth: number,
): void {
  const upperLow = shiftLeftPair(f[high], f[high + 1], lowWidth);
  const upperHigh = pairHigh;
  const upperUndefLow = shiftLeftPair(f[high + 2], f[high + 3], lowWidth);
  store(
    f,
    dst,
    upperLow | f[low],
    upperHigh | f[low + 1],
    upperUndefLow | f[low + 2],
    pairHigh | f[low + 3],
    resultWidth,
  );
}

/** Zero-extends (or truncates) `a` to `toWidth` bits. */
export function zeroExtend(f: Uint32Array, dst: number, a: number, toWidth: number): void {
  store(f, dst, f[a], f[a + 1], f[a + 2], f[a + 3], toWidth);
}

/** Sign-extends `a` from `fromWidth` to `toWidth` bits; an undefined sign makes the new bits undefined. */
export function signExtend(f: Uint32Array, dst: number, a: number, fromWidth: number, toWidth: number): void {
  const low = signExtendPair(f[a], f[a + 1], fromWidth);
  const high = pairHigh;
  const undefLow = signExtendPair(f[a + 2], f[a + 3], fromWidth);
  store(f, dst, low, high, undefLow, pairHigh, toWidth);
}

/**
 * `condition ? whenTrue : whenFalse` (the IR's `ite`). With an undefined condition, a bit is still
 * defined where both arms have the same defined value.
 */
export function select(
  f: Uint32Array,
  dst: number,
  condition: number,
  whenTrue: number,
  whenFalse: number,
  width: number,
): void {
  const t = whenTrue,
    e = whenFalse;
  if ((f[condition + 2] & 1) === 0) {
    const chosen = (f[condition] & 1) !== 0 ? t : e;
    return store(f, dst, f[chosen], f[chosen + 1], f[chosen + 2], f[chosen + 3], width);
  }
  const undefLow = f[t + 2] | f[e + 2] | (f[t] ^ f[e]);
  const undefHigh = f[t + 3] | f[e + 3] | (f[t + 1] ^ f[e + 1]);
  store(f, dst, f[t], f[t + 1], undefLow, undefHigh, width);
}
