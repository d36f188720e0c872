/**
 * The compiled path's hand-written arithmetic helpers (src/jit/runtime.ts) against BigInt, on random
 * and edge operands: division fast paths (every width, signed and unsigned, including #DE cases),
 * the 32×32 high multiplies, the counts. The differential test covers them too, but only on the
 * values random programs happen to produce.
 */
import { describe, expect, it } from 'vitest';
import * as runtime from '../../src/jit/runtime.js';
import { caseCount, Random, testSeed } from '../support/random.js';

const rng = new Random(testSeed ^ 0xd1d);
const edges = (width: number) => {
  const all = (1n << BigInt(width)) - 1n;
  const sign = 1n << BigInt(width - 1);
  return [0n, 1n, 2n, 3n, all, all - 1n, sign, sign - 1n, sign + 1n, 7n, 1000003n & all];
};
const randomBits = (width: number) =>
  rng.below(3) === 0
    ? edges(width)[rng.below(edges(width).length)]
    : BigInt.asUintN(width, (BigInt(rng.uint32()) << 32n) | BigInt(rng.uint32()));
const words = (value: bigint) => [Number(value & 0xffffffffn), Number((value >> 32n) & 0xffffffffn)];
const signed = (value: bigint, width: number) => BigInt.asIntN(width, value);

function expected(isSigned: boolean, high: bigint, low: bigint, divisor: bigint, width: number) {
  const w = BigInt(width);
  if (divisor === 0n) return { fails: 1 };
  if (!isSigned) {
    const dividend = (high << w) | low;
    const quotient = dividend / divisor;
    if (quotient >> w !== 0n) return { fails: 1 };
    return { fails: 0, quotient, remainder: dividend % divisor };
  }
  const dividend = BigInt.asIntN(2 * width, (high << w) | low);
  const d = signed(divisor, width);
  const quotient = dividend / d; // BigInt division truncates toward zero, like IDIV
  if (quotient >= 1n << (w - 1n) || quotient < -(1n << (w - 1n))) return { fails: 1 };
  return {
    fails: 0,
    quotient: BigInt.asUintN(width, quotient),
    remainder: BigInt.asUintN(width, dividend % d),
  };
}

describe('division helpers agree with BigInt', () => {
  for (const width of [8, 16, 32, 64]) {
    for (const isSigned of [false, true]) {
      it(`${isSigned ? 'IDIV' : 'DIV'} ${width}-bit (seed ${testSeed})`, () => {
        for (let i = 0; i < caseCount(20_000); i++) {
          // Mostly dividends whose quotient fits (small high part), as compiled code usually sees.
          let high = randomBits(width);
          if (rng.below(2) === 0) high = isSigned ? (rng.below(2) ? 0n : (1n << BigInt(width)) - 1n) : 0n;
          const low = randomBits(width);
          const divisor = randomBits(width);
          if (width === 64) {
            const [hl, hh] = words(high);
            const [ll, lh] = words(low);
            const [dl, dh] = words(divisor);
            runtime.divideWide(isSigned, hl, hh, ll, lh, dl, dh);
          } else if (isSigned) {
            runtime.divideSignedNarrow(Number(high), Number(low), Number(divisor), width);
          } else {
            runtime.divideUnsignedNarrow(Number(high), Number(low), Number(divisor), width);
          }
          const want = expected(isSigned, high, low, divisor, width);
          const got = runtime.division;
          const where = `${isSigned ? 'idiv' : 'div'}${width} ${high}:${low} / ${divisor}`;
          expect(got[4], where).toBe(want.fails);
          if (want.fails === 0) {
            expect(BigInt(got[0]) + (BigInt(got[1]) << 32n), where).toBe(want.quotient);
            expect(BigInt(got[2]) + (BigInt(got[3]) << 32n), where).toBe(want.remainder);
          }
        }
      });
    }
  }
});

describe('multiply and count helpers agree with BigInt', () => {
  it(`high 32 bits of 32×32 products, counts (seed ${testSeed})`, () => {
    for (let i = 0; i < caseCount(50_000); i++) {
      const [a, b] = [randomBits(32), randomBits(32)];
      expect(runtime.multiplyHighUnsigned32(Number(a), Number(b))).toBe(Number((a * b) >> 32n));
      const product = BigInt.asUintN(64, signed(a, 32) * signed(b, 32));
      expect(runtime.multiplyHighSigned32(Number(a), Number(b))).toBe(Number(product >> 32n));
      const [low, high] = words(randomBits(64));
      const value = (BigInt(high) << 32n) | BigInt(low);
      const binary = value.toString(2);
      expect(runtime.countLeadingZeros64(low, high, 64)).toBe(value === 0n ? 64 : 64 - binary.length);
      const trailing = value === 0n ? 64 : binary.length - 1 - binary.lastIndexOf('1');
      expect(runtime.countTrailingZeros64(low, high, 64)).toBe(trailing);
      expect(runtime.populationCount32(low)).toBe([...low.toString(2)].filter((c) => c === '1').length);
    }
  });
});
