/**
 * Arithmetic kernels of the precise domain: add and subtract with carry/borrow in and the flags out
 * (carry, overflow, auxiliary carry), negate, and multiply (low half, signed and unsigned high half).
 *
 * Add and subtract use the exact rule of Memcheck's "expensive" add: evaluate the operation at the
 * smallest and at the largest concretisation of the operands. The carry into every bit is monotone
 * in the operands, so a result bit whose operand bits are defined and whose carry-in is the same at
 * both extremes is the same for every concretisation; all others are undefined. Carry/borrow out
 * and the auxiliary carry are monotone too, hence defined exactly when the extremes agree.
 * Subtraction is the addition a + ~b + (1 - borrow), whose carries are the inverted borrows.
 */
import { HIGH_WORD_MASK, LOW_WORD_MASK, store, storeUnknown } from './layout.js';
import { bitOfPair, lowestSetBit } from './pair.js';

/** Pass as the carry (or borrow) operand when there is none. */
export const NO_CARRY = -1;

// The smallest and largest sum of the last `sumExtremes` call, as 65-bit numbers (low, high, bit 64),
// with the matching operand extremes (needed for carries into a bit: bit(a ^ b ^ sum)).
const extremes = new Float64Array(14);
// Each sum takes three entries: low word, high word, bit 64.
const MIN_SUM_LOW = 0,
  MIN_SUM_HIGH = 1,
  MAX_SUM_LOW = 3,
  MAX_SUM_HIGH = 4;
const MIN_A_LOW = 6,
  MIN_A_HIGH = 7,
  MAX_A_LOW = 8,
  MAX_A_HIGH = 9;
const MIN_B_LOW = 10,
  MIN_B_HIGH = 11,
  MAX_B_LOW = 12,
  MAX_B_HIGH = 13;

function addPair(aLow: number, aHigh: number, bLow: number, bHigh: number, carry: number, at: number): void {
  const low = aLow + bLow + carry;
  const lowCarry = low > 0xffffffff ? 1 : 0;
  const high = aHigh + bHigh + lowCarry;
  extremes[at] = low >>> 0;
  extremes[at + 1] = high >>> 0;
  extremes[at + 2] = high > 0xffffffff ? 1 : 0;
}

/**
 * Computes the extreme sums of a + (invert ? ~b : b) + carry-in, where `carry` is a 1-bit slot or
 * NO_CARRY, and for subtraction (`invert`) the carry-in is 1 - borrow.
 */
function sumExtremes(
  f: Uint32Array,
  a: number,
  b: number,
  carry: number,
  invert: boolean,
  width: number,
): void {
  const lowMask = LOW_WORD_MASK[width],
    highMask = HIGH_WORD_MASK[width];
  let bMinLow = f[b],
    bMinHigh = f[b + 1];
  let bMaxLow = (f[b] | f[b + 2]) >>> 0,
    bMaxHigh = (f[b + 1] | f[b + 3]) >>> 0;
  if (invert) {
    // ~b is smallest where b is largest.
    const maxLow = bMaxLow,
      maxHigh = bMaxHigh;
    bMaxLow = (~bMinLow & lowMask) >>> 0;
    bMaxHigh = (~bMinHigh & highMask) >>> 0;
    bMinLow = (~maxLow & lowMask) >>> 0;
    bMinHigh = (~maxHigh & highMask) >>> 0;
  }
  let carryMin = 0,
    carryMax = 0;
  if (carry !== NO_CARRY) {
    const carryUndefined = f[carry + 2] & 1;
    carryMin = carryUndefined ? 0 : f[carry] & 1;
    carryMax = carryUndefined ? 1 : f[carry] & 1;
  }
  if (invert) {
    const min = carryMin;
    carryMin = 1 - carryMax;
    carryMax = 1 - min;
  }
  const aMinLow = f[a],
    aMinHigh = f[a + 1];
  const aMaxLow = (f[a] | f[a + 2]) >>> 0,
    aMaxHigh = (f[a + 1] | f[a + 3]) >>> 0;
  addPair(aMinLow, aMinHigh, bMinLow, bMinHigh, carryMin, MIN_SUM_LOW);
  addPair(aMaxLow, aMaxHigh, bMaxLow, bMaxHigh, carryMax, MAX_SUM_LOW);
  extremes[MIN_A_LOW] = aMinLow;
  extremes[MIN_A_HIGH] = aMinHigh;
  extremes[MAX_A_LOW] = aMaxLow;
  extremes[MAX_A_HIGH] = aMaxHigh;
  extremes[MIN_B_LOW] = bMinLow;
  extremes[MIN_B_HIGH] = bMinHigh;
  extremes[MAX_B_LOW] = bMaxLow;
  extremes[MAX_B_HIGH] = bMaxHigh;
}

function storeSum(f: Uint32Array, dst: number, a: number, b: number, width: number): void {
  const e = extremes;
  const undefLow = (e[MIN_SUM_LOW] ^ e[MAX_SUM_LOW]) | f[a + 2] | f[b + 2];
  const undefHigh = (e[MIN_SUM_HIGH] ^ e[MAX_SUM_HIGH]) | f[a + 3] | f[b + 3];
  store(f, dst, e[MIN_SUM_LOW], e[MIN_SUM_HIGH], undefLow, undefHigh, width);
}

/** Bit `index` (0..64) of the minimal (`at` = MIN_SUM_LOW) or maximal sum. */
function sumBit(at: number, index: number): number {
  return index === 64 ? extremes[at + 2] : bitOfPair(extremes[at], extremes[at + 1], index);
}

/** Carry into bit `index` (1..64) at one extreme: bit(index) of a ^ b ^ sum. */
function carryInto(sumAt: number, aAt: number, bAt: number, index: number): number {
  if (index === 64) return extremes[sumAt + 2] ^ 0;
  const e = extremes;
  return (
    bitOfPair(e[sumAt], e[sumAt + 1], index) ^
    bitOfPair(e[aAt], e[aAt + 1], index) ^
    bitOfPair(e[bAt], e[bAt + 1], index)
  );
}

/** Stores the 1-bit value `bit`, defined when the two extremes agree, inverted if asked. */
function storeMonotoneBit(f: Uint32Array, dst: number, atMin: number, atMax: number, invert: boolean): void {
  const undefinedBit = atMin ^ atMax;
  store(f, dst, invert ? atMin ^ 1 : atMin, 0, undefinedBit, 0, 1);
}

/** `a + b + carry` (carry: a 1-bit slot or {@link NO_CARRY}). */
export function add(f: Uint32Array, dst: number, a: number, b: number, carry: number, width: number): void {
  sumExtremes(f, a, b, carry, false, width);
  storeSum(f, dst, a, b, width);
}

/** The carry out of `a + b + carry` (x86 CF after ADD/ADC). */
export function addCarry(
  f: Uint32Array,
  dst: number,
  a: number,
  b: number,
  carry: number,
  width: number,
): void {
  sumExtremes(f, a, b, carry, false, width);
  storeMonotoneBit(f, dst, sumBit(MIN_SUM_LOW, width), sumBit(MAX_SUM_LOW, width), false);
}

/** The carry out of bit 3 of `a + b + carry` (x86 AF after ADD/ADC). Meaningful for widths >= 4. */
export function addAuxiliaryCarry(
  f: Uint32Array,
  dst: number,
  a: number,
  b: number,
  carry: number,
  width: number,
): void {
  sumExtremes(f, a, b, carry, false, width);
  auxiliary(f, dst, false);
}

/** Signed overflow of `a + b + carry` (x86 OF after ADD/ADC). */
export function addOverflow(
  f: Uint32Array,
  dst: number,
  a: number,
  b: number,
  carry: number,
  width: number,
): void {
  sumExtremes(f, a, b, carry, false, width);
  overflow(f, dst, width);
}

/** `a - b - borrow` (borrow: a 1-bit slot or {@link NO_CARRY}). */
export function subtract(
  f: Uint32Array,
  dst: number,
  a: number,
  b: number,
  borrow: number,
  width: number,
): void {
  sumExtremes(f, a, b, borrow, true, width);
  storeSum(f, dst, a, b, width);
}

/** The borrow out of `a - b - borrow`, i.e. unsigned a < b + borrow (x86 CF after SUB/SBB/CMP). */
export function subtractBorrow(
  f: Uint32Array,
  dst: number,
  a: number,
  b: number,
  borrow: number,
  width: number,
): void {
  sumExtremes(f, a, b, borrow, true, width);
  // The carry of a + ~b + (1 - borrow) is the inverted borrow.
  storeMonotoneBit(f, dst, sumBit(MIN_SUM_LOW, width), sumBit(MAX_SUM_LOW, width), true);
}

/** The borrow out of bit 3 of `a - b - borrow` (x86 AF after SUB/SBB/CMP). Meaningful for widths >= 4. */
export function subtractAuxiliaryBorrow(
  f: Uint32Array,
  dst: number,
  a: number,
  b: number,
  borrow: number,
  width: number,
): void {
  sumExtremes(f, a, b, borrow, true, width);
  auxiliary(f, dst, true);
}

/** Signed overflow of `a - b - borrow` (x86 OF after SUB/SBB/CMP). */
export function subtractOverflow(
  f: Uint32Array,
  dst: number,
  a: number,
  b: number,
  borrow: number,
  width: number,
): void {
  sumExtremes(f, a, b, borrow, true, width);
  overflow(f, dst, width);
}

function auxiliary(f: Uint32Array, dst: number, invert: boolean): void {
  const atMin = carryInto(MIN_SUM_LOW, MIN_A_LOW, MIN_B_LOW, 4);
  const atMax = carryInto(MAX_SUM_LOW, MAX_A_LOW, MAX_B_LOW, 4);
  storeMonotoneBit(f, dst, atMin, atMax, invert);
}

/** OF = carry into the sign bit XOR carry out of it; defined when both carries are. */
function overflow(f: Uint32Array, dst: number, width: number): void {
  const intoMin = carryInto(MIN_SUM_LOW, MIN_A_LOW, MIN_B_LOW, width - 1);
  const intoMax = carryInto(MAX_SUM_LOW, MAX_A_LOW, MAX_B_LOW, width - 1);
  const outMin = sumBit(MIN_SUM_LOW, width);
  const outMax = sumBit(MAX_SUM_LOW, width);
  const undefinedBit = (intoMin ^ intoMax) | (outMin ^ outMax);
  store(f, dst, intoMin ^ outMin, 0, undefinedBit, 0, 1);
}

/** `-a` (two's complement), as 0 - a. */
export function negate(f: Uint32Array, dst: number, a: number, width: number): void {
  // ~a + 1 at both extremes: the smallest ~a comes from the largest a.
  const lowMask = LOW_WORD_MASK[width],
    highMask = HIGH_WORD_MASK[width];
  addPair(
    (~(f[a] | f[a + 2]) & lowMask) >>> 0,
    (~(f[a + 1] | f[a + 3]) & highMask) >>> 0,
    0,
    0,
    1,
    MIN_SUM_LOW,
  );
  addPair((~f[a] & lowMask) >>> 0, (~f[a + 1] & highMask) >>> 0, 0, 0, 1, MAX_SUM_LOW);
  const e = extremes;
  const undefLow = ((e[MIN_SUM_LOW] ^ e[MAX_SUM_LOW]) | f[a + 2]) >>> 0;
  const undefHigh = ((e[MIN_SUM_HIGH] ^ e[MAX_SUM_HIGH]) | f[a + 3]) >>> 0;
  store(f, dst, e[MIN_SUM_LOW], e[MIN_SUM_HIGH], undefLow, undefHigh, width);
}

// The 128-bit product of the last `multiplyPairs` call, four 32-bit words, least significant first.
const product = new Uint32Array(4);
const limbs = new Float64Array(8);
const aLimbs = new Float64Array(4);
const bLimbs = new Float64Array(4);

/** Unsigned 64 x 64 -> 128-bit product into `product`, with 16-bit limbs so doubles stay exact. */
function multiplyPairs(aLow: number, aHigh: number, bLow: number, bHigh: number): void {
  aLimbs[0] = aLow & 0xffff;
  aLimbs[1] = aLow >>> 16;
  aLimbs[2] = aHigh & 0xffff;
  aLimbs[3] = aHigh >>> 16;
  bLimbs[0] = bLow & 0xffff;
  bLimbs[1] = bLow >>> 16;
  bLimbs[2] = bHigh & 0xffff;
  bLimbs[3] = bHigh >>> 16;
  limbs.fill(0);
  for (let i = 0; i < 4; i++) {
    if (aLimbs[i] === 0) continue;
    for (let j = 0; j < 4; j++) limbs[i + j] += aLimbs[i] * bLimbs[j];
  }
  let carry = 0;
  for (let k = 0; k < 8; k++) {
    const total = limbs[k] + carry;
    limbs[k] = total % 65536;
    carry = Math.floor(total / 65536);
  }
  for (let w = 0; w < 4; w++) product[w] = limbs[2 * w] + limbs[2 * w + 1] * 65536;
}

/** Lowest bit that may be nonzero (a defined 1 or an undefined bit), or 64 for a defined zero. */
function lowestPossiblyNonzero(f: Uint32Array, a: number): number {
  return lowestSetBit(f[a] | f[a + 2], f[a + 1] | f[a + 3]);
}

/** True when slot `a` is a defined zero. */
function isDefinedZero(f: Uint32Array, a: number): boolean {
  return (f[a] | f[a + 1] | f[a + 2] | f[a + 3]) === 0;
}

/**
 * The low `width` bits of `a * b`. Bit i of a product depends only on bits 0..i of the operands, and
 * undefined bits of `a` from bit ia up only contribute multiples of 2^(ia + lowest possibly-nonzero
 * bit of b). So the result is defined below min(ia + nz(b), ib + nz(a)) — all of it when either
 * operand is a defined zero — and undefined from there up.
 */
export function multiplyLow(f: Uint32Array, dst: number, a: number, b: number, width: number): void {
  multiplyPairs(f[a], f[a + 1], f[b], f[b + 1]);
  const aUndefinedFrom = lowestSetBit(f[a + 2], f[a + 3]);
  const bUndefinedFrom = lowestSetBit(f[b + 2], f[b + 3]);
  const definedBelow = Math.min(
    aUndefinedFrom + lowestPossiblyNonzero(f, b),
    bUndefinedFrom + lowestPossiblyNonzero(f, a),
  );
  if (definedBelow >= width) return store(f, dst, product[0], product[1], 0, 0, width);
  const undefLow = definedBelow >= 32 ? 0 : ~(2 ** definedBelow - 1);
  const undefHigh = definedBelow <= 32 ? 0xffffffff : ~(2 ** (definedBelow - 32) - 1);
  store(f, dst, product[0], product[1], undefLow, undefHigh, width);
}

/** Moves bits width..width+63 of the 128-bit `product` down into `product[0..1]`. */
function shiftProductDown(width: number): void {
  const word = width >>> 5,
    shift = width & 31;
  const at = (i: number) => (i < 4 ? product[i] : 0);
  const w0 = at(word),
    w1 = at(word + 1),
    w2 = at(word + 2);
  product[0] = shift === 0 ? w0 : (w0 >>> shift) | (w1 << (32 - shift));
  product[1] = shift === 0 ? w1 : (w1 >>> shift) | (w2 << (32 - shift));
}

function storeHighHalf(f: Uint32Array, dst: number, a: number, b: number, width: number): void {
  if (isDefinedZero(f, a) || isDefinedZero(f, b)) return store(f, dst, 0, 0, 0, 0, width);
  if ((f[a + 2] | f[a + 3] | f[b + 2] | f[b + 3]) !== 0) return storeUnknown(f, dst, width);
  store(f, dst, product[0], product[1], 0, 0, width);
}

/** The high `width` bits of the unsigned 2*width-bit product (MUL's EDX). Defined when both operands are, or one is a defined 0. */
export function multiplyHighUnsigned(f: Uint32Array, dst: number, a: number, b: number, width: number): void {
  multiplyPairs(f[a], f[a + 1], f[b], f[b + 1]);
  shiftProductDown(width);
  storeHighHalf(f, dst, a, b, width);
}

/** product[0..1] -= slot `other` (mod 2^width), by adding its two's complement. */
function subtractFromProductHigh(f: Uint32Array, other: number, width: number): void {
  const lowSum = product[0] + ((~f[other] & LOW_WORD_MASK[width]) >>> 0) + 1;
  const carry = lowSum > 0xffffffff ? 1 : 0;
  product[1] = product[1] + ((~f[other + 1] & HIGH_WORD_MASK[width]) >>> 0) + carry;
  product[0] = lowSum;
}

/**
 * The high `width` bits of the signed 2*width-bit product (IMUL's EDX): the unsigned high half minus
 * b if a is negative and minus a if b is negative (mod 2^width).
 */
export function multiplyHighSigned(f: Uint32Array, dst: number, a: number, b: number, width: number): void {
  multiplyPairs(f[a], f[a + 1], f[b], f[b + 1]);
  shiftProductDown(width);
  if (bitOfPair(f[a], f[a + 1], width - 1) === 1) subtractFromProductHigh(f, b, width);
  if (bitOfPair(f[b], f[b + 1], width - 1) === 1) subtractFromProductHigh(f, a, width);
  storeHighHalf(f, dst, a, b, width);
}
