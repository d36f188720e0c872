/**
 * Division kernels of the precise domain, shaped like x86 DIV/IDIV: a double-width dividend
 * (high : low, each `width` bits) divided by a `width`-bit divisor, giving quotient and remainder.
 *
 * Any undefined bit in the dividend or the divisor makes both results wholly undefined. The status
 * (divide by zero, quotient overflow) is computed on the value bits as stored — undefined bits read
 * as 0 — so a caller that must raise #DE checks the divisor's definedness itself (strict mode does).
 */
import { HIGH_WORD_MASK, LOW_WORD_MASK, store, storeUnknown } from './layout.js';
import { bitOfPair } from './pair.js';

/** Outcome of a division kernel. */
export const DivisionStatus = Object.freeze({
  /** Quotient and remainder were written. */
  ok: 0,
  /** The divisor is zero; both results are written as undefined. */
  divideByZero: 1,
  /** The quotient does not fit in `width` bits (signed range for signed division); results undefined. */
  overflow: 2,
});
/** One of the {@link DivisionStatus} values. */
export type DivisionStatus = (typeof DivisionStatus)[keyof typeof DivisionStatus];

// Operands and results of the unsigned core, as 32-bit words: dividend (high pair, low pair), divisor,
// quotient, remainder.
const work = new Float64Array(10);
const DIVIDEND_HIGH_LOW = 0,
  DIVIDEND_HIGH_HIGH = 1,
  DIVIDEND_LOW_LOW = 2,
  DIVIDEND_LOW_HIGH = 3;
const DIVISOR_LOW = 4,
  DIVISOR_HIGH = 5,
  QUOTIENT_LOW = 6,
  QUOTIENT_HIGH = 7,
  REMAINDER_LOW = 8,
  REMAINDER_HIGH = 9;

function lessThan(aLow: number, aHigh: number, bLow: number, bHigh: number): boolean {
  return aHigh < bHigh || (aHigh === bHigh && aLow < bLow);
}

/**
 * Unsigned (dividend high : low) / divisor on the values in `work`. Returns the status; on success
 * the quotient and remainder are in `work`. Uses exact double arithmetic when the dividend fits in
 * 53 bits, else restoring long division over the `width` low bits (the high part, being smaller
 * than the divisor, is the initial remainder).
 */
function divideUnsignedCore(width: number): DivisionStatus {
  const dLow = work[DIVISOR_LOW],
    dHigh = work[DIVISOR_HIGH];
  if (dLow === 0 && dHigh === 0) return DivisionStatus.divideByZero;
  const hLow = work[DIVIDEND_HIGH_LOW],
    hHigh = work[DIVIDEND_HIGH_HIGH];
  if (!lessThan(hLow, hHigh, dLow, dHigh)) return DivisionStatus.overflow;
  const lLow = work[DIVIDEND_LOW_LOW],
    lHigh = work[DIVIDEND_LOW_HIGH];

  // Fast path: the whole dividend is below 2^53, so doubles are exact (and floor(n / d) is exact
  // for integers below 2^53).
  const highValue = hHigh * 2 ** 32 + hLow;
  const lowValue = lHigh * 2 ** 32 + lLow;
  const fitsInDouble =
    (highValue === 0 && lowValue < 2 ** 53) || (width <= 52 && highValue < 2 ** (53 - width));
  if (fitsInDouble) {
    const dividend = highValue * 2 ** width + lowValue;
    const divisor = dHigh * 2 ** 32 + dLow;
    const quotient = Math.floor(dividend / divisor);
    const remainder = dividend - quotient * divisor;
    work[QUOTIENT_LOW] = quotient % 2 ** 32;
    work[QUOTIENT_HIGH] = Math.floor(quotient / 2 ** 32);
    work[REMAINDER_LOW] = remainder % 2 ** 32;
    work[REMAINDER_HIGH] = Math.floor(remainder / 2 ** 32);
    return DivisionStatus.ok;
  }

  // Restoring division. The remainder stays below the divisor, so twice it plus one fits in 65 bits:
  // keep it as (low, high) plus a top bit.
  let rLow = hLow,
    rHigh = hHigh;
  let qLow = 0,
    qHigh = 0;
  for (let bit = width - 1; bit >= 0; bit--) {
    const top = rHigh >>> 31;
    rHigh = ((rHigh << 1) | (rLow >>> 31)) >>> 0;
    rLow = ((rLow << 1) | bitOfPair(lLow, lHigh, bit)) >>> 0;
    if (top === 1 || !lessThan(rLow, rHigh, dLow, dHigh)) {
      const low = rLow - dLow;
      rLow = low >>> 0;
      rHigh = (rHigh - dHigh - (low < 0 ? 1 : 0)) >>> 0;
      if (bit >= 32) qHigh = (qHigh | (1 << (bit - 32))) >>> 0;
      else qLow = (qLow | (1 << bit)) >>> 0;
    }
  }
  work[QUOTIENT_LOW] = qLow;
  work[QUOTIENT_HIGH] = qHigh;
  work[REMAINDER_LOW] = rLow;
  work[REMAINDER_HIGH] = rHigh;
  return DivisionStatus.ok;
}

function hasUndefined(f: Uint32Array, a: number): boolean {
  return (f[a + 2] | f[a + 3]) !== 0;
}

function finish(
  f: Uint32Array,
  quotient: number,
  remainder: number,
  status: DivisionStatus,
  defined: boolean,
  width: number,
): DivisionStatus {
  if (status !== DivisionStatus.ok || !defined) {
    storeUnknown(f, quotient, width);
    storeUnknown(f, remainder, width);
    return status;
  }
  store(f, quotient, work[QUOTIENT_LOW], work[QUOTIENT_HIGH], 0, 0, width);
  store(f, remainder, work[REMAINDER_LOW], work[REMAINDER_HIGH], 0, 0, width);
  return status;
}

/**
 * Unsigned division of the 2*width-bit dividend `dividendHigh : dividendLow` by `divisor` (x86 DIV).
 * Writes `quotient` and `remainder` (each `width` bits) and returns the status.
 */
export function divideUnsigned(
  f: Uint32Array,
  quotient: number,
  remainder: number,
  dividendHigh: number,
  dividendLow: number,
  divisor: number,
  width: number,
): DivisionStatus {
  work[DIVIDEND_HIGH_LOW] = f[dividendHigh];
  work[DIVIDEND_HIGH_HIGH] = f[dividendHigh + 1];
  work[DIVIDEND_LOW_LOW] = f[dividendLow];
  work[DIVIDEND_LOW_HIGH] = f[dividendLow + 1];
  work[DIVISOR_LOW] = f[divisor];
  work[DIVISOR_HIGH] = f[divisor + 1];
  const status = divideUnsignedCore(width);
  const defined =
    !hasUndefined(f, dividendHigh) && !hasUndefined(f, dividendLow) && !hasUndefined(f, divisor);
  return finish(f, quotient, remainder, status, defined, width);
}

/** Adds 1 to the (low, high) words at `work[at]`, modulo 2^width. */
function incrementInWork(at: number, width: number): void {
  const low = work[at] + 1;
  const carry = low > 0xffffffff ? 1 : 0;
  work[at] = ((low % 2 ** 32) & LOW_WORD_MASK[width]) >>> 0;
  work[at + 1] = ((work[at + 1] + carry) & HIGH_WORD_MASK[width]) >>> 0;
}

/** Inverts the (low, high) words at `work[at]` within `width` bits. */
function invertInWork(at: number, width: number): void {
  work[at] = (~work[at] & LOW_WORD_MASK[width]) >>> 0;
  work[at + 1] = (~work[at + 1] & HIGH_WORD_MASK[width]) >>> 0;
}

/** Two's-complement negation of the (low, high) words at `work[at]` within `width` bits. */
function negateInWork(at: number, width: number): void {
  invertInWork(at, width);
  incrementInWork(at, width);
}

/** Negates the 2*width-bit dividend (high : low) in `work`: ~(high : low) + 1, carrying into high when low was 0. */
function negateDividend(width: number): void {
  const lowWasZero = work[DIVIDEND_LOW_LOW] === 0 && work[DIVIDEND_LOW_HIGH] === 0;
  negateInWork(DIVIDEND_LOW_LOW, width);
  invertInWork(DIVIDEND_HIGH_LOW, width);
  if (lowWasZero) incrementInWork(DIVIDEND_HIGH_LOW, width);
}

/**
 * Signed division of the 2*width-bit dividend by `divisor` (x86 IDIV): the quotient truncates toward
 * zero and the remainder has the dividend's sign. A quotient outside the signed `width`-bit range is
 * an overflow.
 */
export function divideSigned(
  f: Uint32Array,
  quotient: number,
  remainder: number,
  dividendHigh: number,
  dividendLow: number,
  divisor: number,
  width: number,
): DivisionStatus {
  const dividendNegative = bitOfPair(f[dividendHigh], f[dividendHigh + 1], width - 1) === 1;
  const divisorNegative = bitOfPair(f[divisor], f[divisor + 1], width - 1) === 1;
  work[DIVIDEND_HIGH_LOW] = f[dividendHigh];
  work[DIVIDEND_HIGH_HIGH] = f[dividendHigh + 1];
  work[DIVIDEND_LOW_LOW] = f[dividendLow];
  work[DIVIDEND_LOW_HIGH] = f[dividendLow + 1];
  work[DIVISOR_LOW] = f[divisor];
  work[DIVISOR_HIGH] = f[divisor + 1];
  if (dividendNegative) negateDividend(width);
  if (divisorNegative) negateInWork(DIVISOR_LOW, width);
  let status = divideUnsignedCore(width);
  if (status === DivisionStatus.ok) {
    // The magnitude may use the sign bit only for the most negative quotient, -2^(width-1).
    const quotientSign = bitOfPair(work[QUOTIENT_LOW], work[QUOTIENT_HIGH], width - 1) === 1;
    if (quotientSign) {
      const negative = dividendNegative !== divisorNegative;
      const isMostNegative =
        work[QUOTIENT_LOW] === (width > 32 ? 0 : 2 ** (width - 1)) &&
        work[QUOTIENT_HIGH] === (width > 32 ? 2 ** (width - 33) : 0);
      if (!negative || !isMostNegative) status = DivisionStatus.overflow;
    }
    if (dividendNegative !== divisorNegative) negateInWork(QUOTIENT_LOW, width);
    if (dividendNegative) negateInWork(REMAINDER_LOW, width);
  }
  const defined =
    !hasUndefined(f, dividendHigh) && !hasUndefined(f, dividendLow) && !hasUndefined(f, divisor);
  return finish(f, quotient, remainder, status, defined, width);
}
