/**
 * Concrete reference semantics for the value-domain tests, written with BigInt independently of the
 * kernels (which avoid BigInt). A kernel result bit that is defined must equal these.
 */

/** Unsigned truncation to `width` bits. */
export const truncate = (x: bigint, width: number): bigint => BigInt.asUintN(width, x);
/** Two's-complement reading of a `width`-bit value. */
export const signed = (x: bigint, width: number): bigint => BigInt.asIntN(width, x);

const signedOutOfRange = (x: bigint, width: number): bigint =>
  x < -(1n << BigInt(width - 1)) || x >= 1n << BigInt(width - 1) ? 1n : 0n;

export const reference = {
  add: (a: bigint, b: bigint, c: bigint, w: number) => truncate(a + b + c, w),
  addCarry: (a: bigint, b: bigint, c: bigint, w: number) => (a + b + c) >> BigInt(w),
  addOverflow: (a: bigint, b: bigint, c: bigint, w: number) =>
    signedOutOfRange(signed(a, w) + signed(b, w) + c, w),
  addAuxiliaryCarry: (a: bigint, b: bigint, c: bigint) => (((a & 15n) + (b & 15n) + c) >> 4n) & 1n,
  subtract: (a: bigint, b: bigint, c: bigint, w: number) => truncate(a - b - c, w),
  subtractBorrow: (a: bigint, b: bigint, c: bigint) => (a < b + c ? 1n : 0n),
  subtractOverflow: (a: bigint, b: bigint, c: bigint, w: number) =>
    signedOutOfRange(signed(a, w) - signed(b, w) - c, w),
  subtractAuxiliaryBorrow: (a: bigint, b: bigint, c: bigint) => ((a & 15n) < (b & 15n) + c ? 1n : 0n),
  negate: (a: bigint, w: number) => truncate(-a, w),
  multiplyLow: (a: bigint, b: bigint, w: number) => truncate(a * b, w),
  multiplyHighUnsigned: (a: bigint, b: bigint, w: number) => truncate((a * b) >> BigInt(w), w),
  multiplyHighSigned: (a: bigint, b: bigint, w: number) =>
    truncate((signed(a, w) * signed(b, w)) >> BigInt(w), w),
  shiftLeft: (a: bigint, n: bigint, w: number) => (n >= BigInt(w) ? 0n : truncate(a << n, w)),
  shiftRight: (a: bigint, n: bigint, w: number) => (n >= BigInt(w) ? 0n : a >> n),
  shiftRightArithmetic: (a: bigint, n: bigint, w: number) => truncate(signed(a, w) >> (n > 64n ? 64n : n), w),
  rotateLeft: (a: bigint, n: bigint, w: number) => {
    const k = n % BigInt(w);
    return truncate((a << k) | (a >> (BigInt(w) - k)), w);
  },
  rotateRight: (a: bigint, n: bigint, w: number) => {
    const k = n % BigInt(w);
    return truncate((a >> k) | (a << (BigInt(w) - k)), w);
  },
  /** RCL over the (w+1)-bit carry:a; returns [value, carry]. */
  rotateCarryLeft: (a: bigint, c: bigint, n: bigint, w: number): [bigint, bigint] => {
    const size = BigInt(w + 1);
    const joined = (c << BigInt(w)) | a;
    const k = n % size;
    const rotated = truncate((joined << k) | (joined >> (size - k)), w + 1);
    return [truncate(rotated, w), rotated >> BigInt(w)];
  },
  /** RCR over the (w+1)-bit carry:a; returns [value, carry]. */
  rotateCarryRight: (a: bigint, c: bigint, n: bigint, w: number): [bigint, bigint] => {
    const size = BigInt(w + 1);
    const joined = (c << BigInt(w)) | a;
    const k = n % size;
    const rotated = truncate((joined >> k) | (joined << (size - k)), w + 1);
    return [truncate(rotated, w), rotated >> BigInt(w)];
  },
  testBit: (a: bigint, n: bigint, w: number) => (n >= BigInt(w) ? 0n : (a >> n) & 1n),
  populationCount: (a: bigint) => BigInt([...a.toString(2)].filter((d) => d === '1').length),
  countTrailingZeros: (a: bigint, w: number) => {
    for (let i = 0; i < w; i++) if ((a >> BigInt(i)) & 1n) return BigInt(i);
    return BigInt(w);
  },
  countLeadingZeros: (a: bigint, w: number) => {
    for (let i = w - 1; i >= 0; i--) if ((a >> BigInt(i)) & 1n) return BigInt(w - 1 - i);
    return BigInt(w);
  },
  evenParity: (a: bigint) => (BigInt([...a.toString(2)].filter((d) => d === '1').length) & 1n) ^ 1n,
  isZero: (a: bigint) => (a === 0n ? 1n : 0n),
  equal: (a: bigint, b: bigint) => (a === b ? 1n : 0n),
  lessUnsigned: (a: bigint, b: bigint) => (a < b ? 1n : 0n),
  lessSigned: (a: bigint, b: bigint, w: number) => (signed(a, w) < signed(b, w) ? 1n : 0n),
  /** x86 DIV: [status, quotient, remainder]; status 0 ok, 1 divide by zero, 2 overflow. */
  divideUnsigned: (high: bigint, low: bigint, d: bigint, w: number): [number, bigint, bigint] => {
    if (d === 0n) return [1, 0n, 0n];
    const n = (high << BigInt(w)) | low;
    const q = n / d;
    if (q >> BigInt(w) !== 0n) return [2, 0n, 0n];
    return [0, q, n % d];
  },
  /** x86 IDIV: truncating quotient, remainder with the dividend's sign. */
  divideSigned: (high: bigint, low: bigint, d: bigint, w: number): [number, bigint, bigint] => {
    if (d === 0n) return [1, 0n, 0n];
    const n = signed((high << BigInt(w)) | low, 2 * w);
    const divisor = signed(d, w);
    const q = n / divisor;
    if (signedOutOfRange(q, w)) return [2, 0n, 0n];
    return [0, truncate(q, w), truncate(n % divisor, w)];
  },
};
