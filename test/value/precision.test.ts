/**
 * Precision: the exact cases the domain promises (DESIGN.md, issue 2) — results that must be
 * *defined*, where a coarser domain (the seed's Undefined, or Memcheck's cheap rules) gives up.
 */
import { describe, expect, it } from 'vitest';
import { Value } from '../../src/index.js';

const unknown = (width: number) => Value.unknown(width);
const WIDTHS = [1, 8, 16, 32, 33, 64];

describe('precise domain: exact cases', () => {
  it('and with a defined 0 is a defined 0; or with a defined 1 is a defined 1', () => {
    for (const width of WIDTHS) {
      expect(unknown(width).and(0).isDefined).toBe(true);
      expect(unknown(width).and(0).bits).toBe(0n);
      const ones = (1n << BigInt(width)) - 1n;
      expect(unknown(width).or(ones).bits).toBe(ones);
      expect(unknown(width).or(ones).isDefined).toBe(true);
    }
    expect(unknown(8).and(0x0f).toString()).toBe('0x0?');
    expect(unknown(8).or(0xf0).toString()).toBe('0xf?');
  });

  it('multiplication by a defined 0 is a defined 0, on either side', () => {
    for (const width of WIDTHS) {
      expect(unknown(width).mul(0).isDefined).toBe(true);
      expect(Value.of(0, width).mul(unknown(width)).bits).toBe(0n);
      expect(unknown(width).mulHighUnsigned(0).isDefined).toBe(true);
      expect(unknown(width).mulHighSigned(0).isDefined).toBe(true);
    }
  });

  it('multiplication keeps trailing defined zeros: x * 16 has four defined low zeros', () => {
    const product = unknown(32).mul(16);
    expect(product.undefinedMask).toBe(0xfffffff0n);
    expect(product.bits & 0xfn).toBe(0n);
  });

  it('extract of defined bits is defined (AX with unknown AL: AH is defined)', () => {
    const ax = Value.of(0x1200, 16, 0x00ff);
    expect(ax.extract(8, 8).toCoarse()).toBe(0x12);
    expect(ax.extract(0, 8).isUnknown).toBe(true);
    const rax = Value.of(0x1122334455667788n, 64, 0xffff_0000_0000_0000n);
    expect(rax.extract(0, 32).toCoarse()).toBe(0x55667788);
  });

  it('shifts by a defined count move the mask with the data', () => {
    const x = Value.of(0, 16, 0x00f0);
    expect(x.shl(4).undefinedMask).toBe(0x0f00n);
    expect(x.shr(4).undefinedMask).toBe(0x000fn);
    expect(x.rol(12).undefinedMask).toBe(0x000fn);
    expect(x.shl(16).isDefined).toBe(true);
    expect(Value.of(0, 8, 0x80).sar(3).undefinedMask).toBe(0xf0n);
  });

  it('an undefined shift count makes the result wholly undefined', () => {
    expect(Value.of(1, 32).shl(Value.of(0, 8, 1)).isUnknown).toBe(true);
  });

  it("add smears upward only as far as carries can reach (better than Memcheck's cheap rule)", () => {
    const sum = Value.of(0x1000, 16).add(Value.of(0, 16, 0x00f0));
    expect(sum.toString()).toBe('0x10?0');
    // Memcheck's cheap rule would call every bit from 4 up undefined.
    expect(
      Value.of(0x10, 8)
        .addCarry(Value.of(0, 8, 0x0f))
        .toCoarse(),
    ).toBe(0);
    expect(
      Value.of(0xff, 8)
        .addCarry(Value.of(1, 8, 0x0e))
        .toCoarse(),
    ).toBe(1);
  });

  it('sub of a known value from a partly unknown one keeps the defined low bits', () => {
    const difference = Value.of(0x1230, 16, 0x0f00).sub(0x0010);
    expect(difference.bits & 0xffn).toBe(0x20n);
    expect(difference.isBitDefined(0)).toBe(true);
  });

  it('comparisons decided by defined bits are defined', () => {
    expect(Value.of(0x80, 8, 0x0f).ltUnsigned(0x90).toCoarse()).toBe(1);
    expect(Value.of(0x80, 8, 0x0f).eq(0x90).toCoarse()).toBe(0);
    expect(Value.of(0x80, 8, 0x0f).ltSigned(0).toCoarse()).toBe(1);
    expect(Value.of(0, 8, 0xff).isZero().isDefined).toBe(false);
    expect(Value.of(1, 8, 0xfe).isZero().toCoarse()).toBe(0);
  });

  it('select with an undefined condition keeps bits on which both arms agree', () => {
    const chosen = Value.of(0, 1, 1).select(Value.of(0x12, 8), Value.of(0x13, 8));
    expect(chosen.undefinedMask).toBe(0x01n);
    expect(chosen.bits).toBe(0x12n);
  });

  it('counts are defined where the interval decides them', () => {
    expect(Value.of(0b0010, 8, 0b1100).tzcnt().toCoarse()).toBe(1);
    expect(Value.of(0x80, 8, 0x0f).lzcnt().toCoarse()).toBe(0);
    expect(Value.of(0, 32, 1).popcount().undefinedMask).toBe(1n);
  });

  it('sign and zero extension: new bits are defined exactly when the sign is', () => {
    expect(Value.of(0x80, 8, 0x0f).signExtend(32).undefinedMask).toBe(0x0fn);
    expect(Value.of(0x80, 8, 0x0f).signExtend(32).bits).toBe(0xffffff80n);
    expect(Value.of(0, 8, 0x80).signExtend(16).undefinedMask).toBe(0xff80n);
    expect(Value.unknown(32).zeroExtend(64).undefinedMask).toBe(0xffffffffn);
  });

  it('division with an undefined divisor is wholly undefined; a defined one divides exactly', () => {
    expect(Value.of(100, 32).divide(Value.of(0, 32, 1))).toBeNull(); // the concrete divisor is 0
    const result = Value.of(100, 32).divide(Value.of(6, 32, 1));
    expect(result?.quotient.isUnknown).toBe(true);
    expect(Value.of(100, 32).divide(7)?.quotient.toCoarse()).toBe(14);
    expect(Value.of(-100, 32).divide(7, true)?.remainder.toSignedCoarse()).toBe(-2);
  });

  it('rcl/rcr rotate the mask with the carry', () => {
    const { value, carry } = Value.of(0x80, 8).rcl(1, Value.of(0, 1, 1));
    expect(value.undefinedMask).toBe(1n);
    expect(carry.toCoarse()).toBe(1);
  });
});

describe('Value API', () => {
  it('normalises: bits beyond the width and undefined bits read as 0', () => {
    const v = Value.of(0x1ff, 8, 0x0f);
    expect(v.bits).toBe(0xf0n);
    expect(v.undefinedMask).toBe(0x0fn);
    expect(Value.of(-1, 16).bits).toBe(0xffffn);
  });

  it('rejects widths outside 1..64', () => {
    expect(() => Value.of(0, 0)).toThrow(RangeError);
    expect(() => Value.of(0, 65)).toThrow(/1 to 64/);
    expect(() => Value.unknown(1.5)).toThrow(RangeError);
  });

  it('converts to the coarse view: any undefined bit gives Undefined', () => {
    expect(String(Value.of(0, 8, 1).toCoarse())).toBe('Undefined');
    expect(Value.of(5, 8).toCoarse()).toBe(5);
    expect(Value.of(5, 64).toCoarse()).toBe(5n);
    expect(Value.of(0xff, 8).toSignedCoarse()).toBe(-1);
  });

  it('prints hex with ? for unknown digits and brackets for mixed ones', () => {
    expect(Value.of(0x12, 32, 0xff).toString()).toBe('0x0000_00??');
    expect(Value.of(0b1001, 8, 0b0110).toString()).toBe('0x0[1??1]');
    expect(Value.of(1, 1, 0).toString()).toBe('0x1');
    expect(Value.unknown(5).toString()).toBe('0x??');
    expect(Value.of(0x1, 5, 0x10).toString()).toBe('0x?1');
    expect(Value.of(0x1122334455667788n, 64).toString()).toBe('0x1122_3344_5566_7788');
    expect(JSON.stringify(Value.of(0x12, 8, 0x0f))).toBe('{"value":"0x10","undefined":"0xf","width":8}');
  });
});
