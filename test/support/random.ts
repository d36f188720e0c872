/**
 * Seeded random numbers for property and differential tests. The seed comes from VIAL_SEED (default
 * fixed, so CI is repeatable) and every failure message must print it; VIAL_CASES scales case counts
 * up for long runs on demand.
 */

/** The seed in force for this run. */
export const testSeed: number = process.env.VIAL_SEED ? Number(process.env.VIAL_SEED) >>> 0 : 0x5eed_1234;

/** Case count: `base` unless VIAL_CASES overrides it. */
export function caseCount(base: number): number {
  return process.env.VIAL_CASES ? Number(process.env.VIAL_CASES) : base;
}

/** A small, fast, seedable generator (sfc32). */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number = testSeed) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.uint32();
  }

  /** A uniformly random 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.uint32() / 2 ** 32) * n);
  }

  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  /** A uniformly random unsigned `width`-bit bigint. */
  bits(width: number): bigint {
    const raw = (BigInt(this.uint32()) << 32n) | BigInt(this.uint32());
    return BigInt.asUintN(width, raw);
  }

  /** A `width`-bit value biased towards edge cases: 0, 1, all ones, sign boundaries, small numbers. */
  interestingBits(width: number): bigint {
    const all = (1n << BigInt(width)) - 1n;
    const sign = 1n << BigInt(width - 1);
    switch (this.below(8)) {
      case 0:
        return this.pick([0n, 1n, all, sign, sign - 1n, all - 1n]) & all;
      case 1:
        return BigInt(this.below(17)) & all;
      case 2:
        return (all - BigInt(this.below(17))) & all;
      default:
        return this.bits(width);
    }
  }

  /** An undefined mask: none, a few bits, a nibble/byte run, dense, or all. */
  mask(width: number): bigint {
    const all = (1n << BigInt(width)) - 1n;
    switch (this.below(7)) {
      case 0:
        return 0n;
      case 1:
        return 1n << BigInt(this.below(width));
      case 2:
        return this.bits(width) & this.bits(width) & this.bits(width);
      case 3:
        return (0xffn << BigInt(this.below(width))) & all;
      case 4:
        return this.bits(width);
      case 5:
        return all;
      default:
        return all ^ (1n << BigInt(this.below(width)));
    }
  }
}
