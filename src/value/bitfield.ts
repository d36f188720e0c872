/**
 * Bit-field kernels of the precise domain: parallel deposit and extract (BMI2 PDEP/PEXT, SDM Vol. 2B
 * "PDEP", "PEXT") and one CRC-32C accumulation step (SSE4.2 CRC32, SDM Vol. 2A "CRC32"). Operands and
 * results are slots of a frame (layout in `layout.ts`); nothing allocates, and no BigInt is used.
 *
 * Soundness for undefined bits:
 *
 * - PDEP/PEXT with a defined mask are exact: every result bit copies one source bit (or is 0), so it
 *   is undefined exactly when that source bit is. With undefined mask bits, the bits the mask fixes
 *   below its lowest undefined bit still route the same source bits; above it, PDEP's result is a
 *   defined 0 wherever the mask is a defined 0, and PEXT's result is a defined 0 from the largest
 *   possible number of selected bits upwards. Everything else is undefined.
 * - CRC-32C is linear over GF(2) (no initial value or final inversion in the instruction), so a
 *   result bit is undefined exactly when some undefined input bit feeds it: the undefined mask is the
 *   OR of the CRC step applied to each undefined input bit alone. Exact.
 */
import { store } from './layout.js';

/** Bit `index` (0..63) of the pair (low, high). */
function bitOf(low: number, high: number, index: number): number {
  return index < 32 ? (low >>> index) & 1 : (high >>> (index - 32)) & 1;
}

/** Lowest set bit of (low, high) within `width` bits, or `width` when there is none. */
function lowestSetBit(low: number, high: number, width: number): number {
  if (low !== 0) return Math.min(31 - Math.clz32(low & -low), width);
  if (high !== 0) return Math.min(32 + 31 - Math.clz32(high & -high), width);
  return width;
}

// Result words, filled bit by bit; module-level so the kernels do not allocate.
let resultLow = 0;
let resultHigh = 0;
let undefinedLow = 0;
let undefinedHigh = 0;

function setResultBit(index: number, value: number, unknown: number): void {
  if (index < 32) {
    resultLow |= value << index;
    undefinedLow |= unknown << index;
  } else {
    resultHigh |= value << (index - 32);
    undefinedHigh |= unknown << (index - 32);
  }
}

function clearResult(): void {
  resultLow = resultHigh = undefinedLow = undefinedHigh = 0;
}

/**
 * PDEP: the low source bits, in order, go to the positions of the mask's 1 bits; the rest of the
 * result is 0 (SDM "PDEP" Operation). `source` and `mask` are `width`-bit slots.
 */
export function parallelDeposit(
  f: Uint32Array,
  dst: number,
  source: number,
  mask: number,
  width: number,
): void {
  clearResult();
  const maskLow = f[mask];
  const maskHigh = f[mask + 1];
  const firstUnknown = lowestSetBit(f[mask + 2], f[mask + 3], width);
  let next = 0; // the source bit the next mask 1 takes
  for (let position = 0; position < width; position++) {
    if (position >= firstUnknown) {
      // The rank of this position is no longer known: only a defined 0 in the mask gives a defined 0.
      const maskUnknown = bitOf(f[mask + 2], f[mask + 3], position);
      if (maskUnknown || bitOf(maskLow, maskHigh, position)) setResultBit(position, 0, 1);
      continue;
    }
    if (!bitOf(maskLow, maskHigh, position)) continue;
    setResultBit(position, bitOf(f[source], f[source + 1], next), bitOf(f[source + 2], f[source + 3], next));
    next++;
  }
  store(f, dst, resultLow, resultHigh, undefinedLow, undefinedHigh, width);
}

/**
 * PEXT: the source bits at the mask's 1 bits, in order, go to the low bits of the result; the rest
 * is 0 (SDM "PEXT" Operation).
 */
export function parallelExtract(
  f: Uint32Array,
  dst: number,
  source: number,
  mask: number,
  width: number,
): void {
  clearResult();
  const maskLow = f[mask];
  const maskHigh = f[mask + 1];
  const firstUnknown = lowestSetBit(f[mask + 2], f[mask + 3], width);
  let next = 0; // the result bit the next mask 1 fills
  let possible = 0; // how many mask bits may be 1 at or above the first unknown one
  for (let position = 0; position < width; position++) {
    const selected = bitOf(maskLow, maskHigh, position);
    if (position >= firstUnknown) {
      possible += selected | bitOf(f[mask + 2], f[mask + 3], position);
      continue;
    }
    if (!selected) continue;
    setResultBit(
      next,
      bitOf(f[source], f[source + 1], position),
      bitOf(f[source + 2], f[source + 3], position),
    );
    next++;
  }
  // Bits next .. next+possible-1 may receive a selected bit: unknown. Above them, a defined 0.
  for (let index = next; index < Math.min(next + possible, width); index++) setResultBit(index, 0, 1);
  store(f, dst, resultLow, resultHigh, undefinedLow, undefinedHigh, width);
}

/** The reflected CRC-32C polynomial 0x11EDC6F41 (Castagnoli), bit-reversed without its x^32 term. */
const CASTAGNOLI_REFLECTED = 0x82f63b78;

/** One bit-serial CRC-32C update of `crc` with the low `width` bits of (low, high), least significant first. */
function crc32cUpdate(crc: number, low: number, high: number, width: number): number {
  let value = crc >>> 0;
  for (let index = 0; index < width; index++) {
    value ^= bitOf(low, high, index);
    value = (value >>> 1) ^ (CASTAGNOLI_REFLECTED & -(value & 1));
  }
  return value >>> 0;
}

/**
 * CRC32 instruction step: the 32-bit `crc` slot accumulated over the `dataWidth`-bit `data` slot
 * (8, 16, 32 or 64 bits), as SDM "CRC32" computes it with bit reflection and the polynomial
 * 11EDC6F41H; the result is 32 bits.
 */
export function crc32c(f: Uint32Array, dst: number, crc: number, data: number, dataWidth: number): void {
  const value = crc32cUpdate(f[crc], f[data], f[data + 1], dataWidth);
  let unknown = 0;
  const crcUnknown = f[crc + 2];
  const dataUnknownLow = f[data + 2];
  const dataUnknownHigh = f[data + 3];
  if ((crcUnknown | dataUnknownLow | dataUnknownHigh) !== 0) {
    for (let index = 0; index < 32; index++) {
      if ((crcUnknown >>> index) & 1) unknown |= crc32cUpdate(1 << index, 0, 0, dataWidth);
    }
    for (let index = 0; index < dataWidth; index++) {
      if (!bitOf(dataUnknownLow, dataUnknownHigh, index)) continue;
      unknown |=
        index < 32
          ? crc32cUpdate(0, 1 << index, 0, dataWidth)
          : crc32cUpdate(0, 0, 1 << (index - 32), dataWidth);
    }
  }
  store(f, dst, value, 0, unknown, 0, 32);
}
