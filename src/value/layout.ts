/**
 * How precise values are stored: in slots of a `Uint32Array` ("frame"), four words per slot.
 *
 * A value of width 1..64 bits is a pair (bits, undefined mask). A 1 in the mask means "this bit is
 * unknown". Each slot holds, at word offset `o`:
 *
 * | word  | meaning                            |
 * |-------|------------------------------------|
 * | o + 0 | bits 0..31 of the value            |
 * | o + 1 | bits 32..63 of the value           |
 * | o + 2 | undefined mask, bits 0..31         |
 * | o + 3 | undefined mask, bits 32..63        |
 *
 * Two invariants keep every kernel simple (the "canonical form"): bits at or above the width are 0
 * in both words, and an undefined bit has value bit 0. Kernels read their operands from slots and
 * write their result to a slot, so they never allocate; the VM keeps its registers and the IR
 * interpreter its temporaries in such frames. 128-bit values (SSE, later) will use two adjacent slots.
 */

/** Words per slot. Slot `k` starts at word offset `k * SLOT_WORDS`. */
export const SLOT_WORDS = 4;

/** Offset of the low value word within a slot. */
export const LOW = 0;
/** Offset of the high value word within a slot. */
export const HIGH = 1;
/** Offset of the low undefined-mask word within a slot. */
export const UNDEFINED_LOW = 2;
/** Offset of the high undefined-mask word within a slot. */
export const UNDEFINED_HIGH = 3;

/** The widest value a slot holds. */
export const MAX_WIDTH = 64;

/** `LOW_WORD_MASK[w]`: the bits of word 0 that belong to a `w`-bit value. */
export const LOW_WORD_MASK: readonly number[] = Array.from({ length: 65 }, (_, w) =>
  w >= 32 ? 0xffffffff : 2 ** w - 1,
);
/** `HIGH_WORD_MASK[w]`: the bits of word 1 that belong to a `w`-bit value. */
export const HIGH_WORD_MASK: readonly number[] = Array.from({ length: 65 }, (_, w) =>
  w <= 32 ? 0 : w >= 64 ? 0xffffffff : 2 ** (w - 32) - 1,
);

/** Throws unless `width` is an integer in 1..64. Call it at API boundaries, not in kernels. */
export function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH) {
    throw new RangeError(`value width must be an integer from 1 to ${MAX_WIDTH}, got ${width}`);
  }
}

/** Allocates a frame with room for `slots` values, all defined 0. */
export function createFrame(slots: number): Uint32Array {
  return new Uint32Array(slots * SLOT_WORDS);
}

/**
 * Writes a value with the given words to slot `o`, normalising it to canonical form
 * (bits beyond `width` cleared, undefined bits' values cleared).
 */
export function store(
  frame: Uint32Array,
  o: number,
  low: number,
  high: number,
  undefinedLow: number,
  undefinedHigh: number,
  width: number,
): void {
  const undefLow = undefinedLow & LOW_WORD_MASK[width];
  const undefHigh = undefinedHigh & HIGH_WORD_MASK[width];
  frame[o] = low & LOW_WORD_MASK[width] & ~undefLow;
  frame[o + 1] = high & HIGH_WORD_MASK[width] & ~undefHigh;
  frame[o + 2] = undefLow;
  frame[o + 3] = undefHigh;
}

/** Writes a fully defined constant (given as two 32-bit words) to slot `o`. */
export function storeConstant(frame: Uint32Array, o: number, low: number, high: number, width: number): void {
  store(frame, o, low, high, 0, 0, width);
}

/** Writes a fully undefined value — the IR's `UNKNOWN()` — to slot `o`. */
export function storeUnknown(frame: Uint32Array, o: number, width: number): void {
  store(frame, o, 0, 0, 0xffffffff, 0xffffffff, width);
}

/** Writes a value given as bigints (bits and undefined mask) to slot `o`. Not for hot paths. */
export function storeBigInt(
  frame: Uint32Array,
  o: number,
  bits: bigint,
  undefinedMask: bigint,
  width: number,
): void {
  store(
    frame,
    o,
    Number(BigInt.asUintN(32, bits)),
    Number(BigInt.asUintN(32, bits >> 32n)),
    Number(BigInt.asUintN(32, undefinedMask)),
    Number(BigInt.asUintN(32, undefinedMask >> 32n)),
    width,
  );
}

/** Reads the value bits of slot `o` as a bigint (undefined bits read as 0). Not for hot paths. */
export function loadBits(frame: Uint32Array, o: number): bigint {
  return (BigInt(frame[o + 1]) << 32n) | BigInt(frame[o]);
}

/** Reads the undefined mask of slot `o` as a bigint. Not for hot paths. */
export function loadUndefinedMask(frame: Uint32Array, o: number): bigint {
  return (BigInt(frame[o + 3]) << 32n) | BigInt(frame[o + 2]);
}

/** True when no bit of slot `o` is undefined. */
export function isFullyDefined(frame: Uint32Array, o: number): boolean {
  return (frame[o + 2] | frame[o + 3]) === 0;
}

/** Copies slot `from` to slot `to` (also a zero-extension: canonical values need no work). */
export function copySlot(frame: Uint32Array, to: number, from: number): void {
  frame[to] = frame[from];
  frame[to + 1] = frame[from + 1];
  frame[to + 2] = frame[from + 2];
  frame[to + 3] = frame[from + 3];
}
