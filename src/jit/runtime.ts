/**
 * Helpers that compiled blocks call for concrete (fully defined) values: the operations too long to
 * inline in generated code. Each one mirrors, for defined inputs, the kernel of the same name in
 * `src/value/` — the compiled path is differentially tested against the interpreter, which runs the
 * kernels, so any disagreement fails `test/jit/`.
 */

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
