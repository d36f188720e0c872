/**
 * `Value`: an immutable, user-friendly precise value — `width` bits (1..64) plus an undefined mask.
 *
 * Each method runs the same kernel the VM runs (see `kernels.ts`) on a private scratch frame, so
 * there is one implementation of every rule. Methods allocate a result object; the VM's hot path
 * calls the kernels on its own frames instead.
 */

import { formatValue } from './format.js';
import * as kernels from './kernels.js';
import { checkWidth, HIGH_WORD_MASK, LOW_WORD_MASK, SLOT_WORDS, store } from './layout.js';
import { type Coarse, Undefined } from './undefined.js';

const scratch = new Uint32Array(8 * SLOT_WORDS);
const A = 0,
  B = 4,
  C = 8,
  R = 12,
  R2 = 16;

/** An operand given to a `Value` method: another `Value`, or a defined number/bigint of the same width. */
export type Operand = Value | number | bigint;

type BinaryKernel = (f: Uint32Array, dst: number, a: number, b: number, width: number) => void;
type CarryKernel = (f: Uint32Array, dst: number, a: number, b: number, carry: number, width: number) => void;

/** A precise value: `width` bits, each either defined (0 or 1) or undefined. Immutable. */
export class Value {
  private constructor(
    /** Number of bits, 1..64. */
    readonly width: number,
    private readonly low: number,
    private readonly high: number,
    private readonly undefinedLow: number,
    private readonly undefinedHigh: number,
  ) {}

  /**
   * A value of `width` bits. `bits` is truncated to the width (negative numbers are taken as two's
   * complement); bits set in `undefinedMask` are undefined.
   */
  static of(bits: number | bigint, width: number, undefinedMask: number | bigint = 0n): Value {
    checkWidth(width);
    const value = BigInt.asUintN(64, BigInt(bits));
    const mask = BigInt.asUintN(64, BigInt(undefinedMask));
    store(
      scratch,
      R,
      Number(value & 0xffffffffn),
      Number(value >> 32n),
      Number(mask & 0xffffffffn),
      Number(mask >> 32n),
      width,
    );
    return Value.fromSlot(R, width);
  }

  /** A wholly undefined value of `width` bits — the IR's `UNKNOWN()`. */
  static unknown(width: number): Value {
    checkWidth(width);
    return new Value(width, 0, 0, LOW_WORD_MASK[width], HIGH_WORD_MASK[width]);
  }

  /** Reads slot `o` of a kernel frame as a `Value`. */
  static fromFrame(frame: Uint32Array, o: number, width: number): Value {
    checkWidth(width);
    return new Value(width, frame[o], frame[o + 1], frame[o + 2], frame[o + 3]);
  }

  private static fromSlot(o: number, width: number): Value {
    return new Value(width, scratch[o], scratch[o + 1], scratch[o + 2], scratch[o + 3]);
  }

  /** Writes this value into slot `o` of a kernel frame. */
  writeTo(frame: Uint32Array, o: number): void {
    frame[o] = this.low;
    frame[o + 1] = this.high;
    frame[o + 2] = this.undefinedLow;
    frame[o + 3] = this.undefinedHigh;
  }

  /** The value bits as an unsigned bigint; undefined bits read as 0. */
  get bits(): bigint {
    return (BigInt(this.high) << 32n) | BigInt(this.low);
  }

  /** The undefined mask as a bigint: a 1 marks an undefined bit. */
  get undefinedMask(): bigint {
    return (BigInt(this.undefinedHigh) << 32n) | BigInt(this.undefinedLow);
  }

  /** True when no bit is undefined. */
  get isDefined(): boolean {
    return (this.undefinedLow | this.undefinedHigh) === 0;
  }

  /** True when every bit is undefined. */
  get isUnknown(): boolean {
    return (
      this.undefinedLow === LOW_WORD_MASK[this.width] && this.undefinedHigh === HIGH_WORD_MASK[this.width]
    );
  }

  /** True when bit `index` is defined. */
  isBitDefined(index: number): boolean {
    return ((this.undefinedMask >> BigInt(index)) & 1n) === 0n;
  }

  /**
   * The seed's coarse view: {@link Undefined} if any bit is undefined, otherwise the unsigned value —
   * a number for widths up to 32, a bigint above.
   */
  toCoarse(): Coarse {
    if (!this.isDefined) return Undefined;
    return this.width <= 32 ? this.low : this.bits;
  }

  /** The value as a signed number (width <= 32) or bigint, or `Undefined`. */
  toSignedCoarse(): Coarse {
    if (!this.isDefined) return Undefined;
    const signed = BigInt.asIntN(this.width, this.bits);
    return this.width <= 32 ? Number(signed) : signed;
  }

  /** Same width, bits and mask. */
  equals(other: Value): boolean {
    return (
      other.width === this.width &&
      other.low === this.low &&
      other.high === this.high &&
      other.undefinedLow === this.undefinedLow &&
      other.undefinedHigh === this.undefinedHigh
    );
  }

  /** Hexadecimal with `?` for undefined digits, e.g. `0x0000_00??` (see `formatValue`). */
  toString(): string {
    return formatValue(this.bits, this.undefinedMask, this.width);
  }

  toJSON(): { value: string; undefined: string; width: number } {
    return {
      value: `0x${this.bits.toString(16)}`,
      undefined: `0x${this.undefinedMask.toString(16)}`,
      width: this.width,
    };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Value<${this.width}> ${this.toString()}`;
  }

  private operand(other: Operand, width = this.width): Value {
    return other instanceof Value ? other : Value.of(other, width);
  }

  private binary(kernel: BinaryKernel, other: Operand, resultWidth = this.width): Value {
    this.writeTo(scratch, A);
    this.operand(other).writeTo(scratch, B);
    kernel(scratch, R, A, B, this.width);
    return Value.fromSlot(R, resultWidth);
  }

  private withCarry(
    kernel: CarryKernel,
    other: Operand,
    carry: Value | undefined,
    resultWidth: number,
  ): Value {
    this.writeTo(scratch, A);
    this.operand(other).writeTo(scratch, B);
    if (carry) carry.writeTo(scratch, C);
    kernel(scratch, R, A, B, carry ? C : kernels.NO_CARRY, this.width);
    return Value.fromSlot(R, resultWidth);
  }

  private unary(
    kernel: (f: Uint32Array, dst: number, a: number, width: number) => void,
    resultWidth = this.width,
  ): Value {
    this.writeTo(scratch, A);
    kernel(scratch, R, A, this.width);
    return Value.fromSlot(R, resultWidth);
  }

  and(other: Operand): Value {
    return this.binary(kernels.and, other);
  }
  or(other: Operand): Value {
    return this.binary(kernels.or, other);
  }
  xor(other: Operand): Value {
    return this.binary(kernels.xor, other);
  }
  not(): Value {
    return this.unary(kernels.not);
  }
  /** `this + other + carry` (carry: a 1-bit Value). */
  add(other: Operand, carry?: Value): Value {
    return this.withCarry(kernels.add, other, carry, this.width);
  }
  /** Carry out of `this + other + carry` (1 bit). */
  addCarry(other: Operand, carry?: Value): Value {
    return this.withCarry(kernels.addCarry, other, carry, 1);
  }
  /** Signed overflow of `this + other + carry` (1 bit). */
  addOverflow(other: Operand, carry?: Value): Value {
    return this.withCarry(kernels.addOverflow, other, carry, 1);
  }
  /** Carry out of bit 3 of `this + other + carry` (1 bit). */
  addAuxiliaryCarry(other: Operand, carry?: Value): Value {
    return this.withCarry(kernels.addAuxiliaryCarry, other, carry, 1);
  }
  /** `this - other - borrow`. */
  sub(other: Operand, borrow?: Value): Value {
    return this.withCarry(kernels.subtract, other, borrow, this.width);
  }
  /** Borrow out of `this - other - borrow` (1 bit). */
  subBorrow(other: Operand, borrow?: Value): Value {
    return this.withCarry(kernels.subtractBorrow, other, borrow, 1);
  }
  /** Signed overflow of `this - other - borrow` (1 bit). */
  subOverflow(other: Operand, borrow?: Value): Value {
    return this.withCarry(kernels.subtractOverflow, other, borrow, 1);
  }
  /** Borrow out of bit 3 of `this - other - borrow` (1 bit). */
  subAuxiliaryBorrow(other: Operand, borrow?: Value): Value {
    return this.withCarry(kernels.subtractAuxiliaryBorrow, other, borrow, 1);
  }
  neg(): Value {
    return this.unary(kernels.negate);
  }
  /** Low `width` bits of the product. */
  mul(other: Operand): Value {
    return this.binary(kernels.multiplyLow, other);
  }
  /** High `width` bits of the unsigned double-width product. */
  mulHighUnsigned(other: Operand): Value {
    return this.binary(kernels.multiplyHighUnsigned, other);
  }
  /** High `width` bits of the signed double-width product. */
  mulHighSigned(other: Operand): Value {
    return this.binary(kernels.multiplyHighSigned, other);
  }

  /**
   * `this / divisor` and `this % divisor` (same width, unsigned or signed). Returns `null` on division
   * by zero or overflow; use the kernels for double-width dividends.
   */
  divide(divisor: Operand, signed = false): { quotient: Value; remainder: Value } | null {
    const high =
      signed && this.toSignedBigInt() < 0n
        ? Value.of(-1, this.width, this.isBitDefined(this.width - 1) ? 0 : -1)
        : Value.of(0, this.width);
    this.writeTo(scratch, A);
    high.writeTo(scratch, C);
    this.operand(divisor).writeTo(scratch, B);
    const kernel = signed ? kernels.divideSigned : kernels.divideUnsigned;
    const status = kernel(scratch, R, R2, C, A, B, this.width);
    if (status !== kernels.DivisionStatus.ok) return null;
    return { quotient: Value.fromSlot(R, this.width), remainder: Value.fromSlot(R2, this.width) };
  }

  private toSignedBigInt(): bigint {
    return BigInt.asIntN(this.width, this.bits);
  }

  private byCount(kernel: BinaryKernel, count: Operand): Value {
    this.writeTo(scratch, A);
    this.operand(count, 64).writeTo(scratch, B);
    kernel(scratch, R, A, B, this.width);
    return Value.fromSlot(R, this.width);
  }
  shl(count: Operand): Value {
    return this.byCount(kernels.shiftLeft, count);
  }
  shr(count: Operand): Value {
    return this.byCount(kernels.shiftRight, count);
  }
  sar(count: Operand): Value {
    return this.byCount(kernels.shiftRightArithmetic, count);
  }
  rol(count: Operand): Value {
    return this.byCount(kernels.rotateLeft, count);
  }
  ror(count: Operand): Value {
    return this.byCount(kernels.rotateRight, count);
  }
  /** Bit `index` as a 1-bit value. */
  bit(index: Operand): Value {
    this.writeTo(scratch, A);
    this.operand(index, 64).writeTo(scratch, B);
    kernels.testBit(scratch, R, A, B, this.width);
    return Value.fromSlot(R, 1);
  }

  /** RCL: rotates carry:this left; returns the value and the carry out. */
  rcl(count: Operand, carry: Value): { value: Value; carry: Value } {
    return this.rotateThroughCarry(count, carry, kernels.rotateCarryLeft, kernels.rotateCarryLeftCarryOut);
  }
  /** RCR: rotates this:carry right; returns the value and the carry out. */
  rcr(count: Operand, carry: Value): { value: Value; carry: Value } {
    return this.rotateThroughCarry(count, carry, kernels.rotateCarryRight, kernels.rotateCarryRightCarryOut);
  }
  private rotateThroughCarry(
    count: Operand,
    carry: Value,
    valueKernel: CarryKernel,
    carryKernel: CarryKernel,
  ) {
    this.writeTo(scratch, A);
    carry.writeTo(scratch, C);
    this.operand(count, 64).writeTo(scratch, B);
    valueKernel(scratch, R, A, C, B, this.width);
    carryKernel(scratch, R2, A, C, B, this.width);
    return { value: Value.fromSlot(R, this.width), carry: Value.fromSlot(R2, 1) };
  }

  /** `resultWidth` bits starting at bit `lowBit`. */
  extract(lowBit: number, resultWidth: number): Value {
    checkWidth(resultWidth);
    this.writeTo(scratch, A);
    kernels.extract(scratch, R, A, lowBit, resultWidth);
    return Value.fromSlot(R, resultWidth);
  }
  /** `this : low` — this value above the bits of `low`. */
  concat(low: Value): Value {
    const width = this.width + low.width;
    checkWidth(width);
    this.writeTo(scratch, A);
    low.writeTo(scratch, B);
    kernels.concat(scratch, R, A, B, low.width, width);
    return Value.fromSlot(R, width);
  }
  zeroExtend(toWidth: number): Value {
    checkWidth(toWidth);
    this.writeTo(scratch, A);
    kernels.zeroExtend(scratch, R, A, toWidth);
    return Value.fromSlot(R, toWidth);
  }
  signExtend(toWidth: number): Value {
    checkWidth(toWidth);
    this.writeTo(scratch, A);
    kernels.signExtend(scratch, R, A, this.width, toWidth);
    return Value.fromSlot(R, toWidth);
  }
  /** `this ? whenTrue : whenFalse` for a 1-bit condition. */
  select(whenTrue: Value, whenFalse: Value): Value {
    this.writeTo(scratch, A);
    whenTrue.writeTo(scratch, B);
    whenFalse.writeTo(scratch, C);
    kernels.select(scratch, R, A, B, C, whenTrue.width);
    return Value.fromSlot(R, whenTrue.width);
  }
  popcount(): Value {
    return this.unary(kernels.populationCount);
  }
  lzcnt(): Value {
    return this.unary(kernels.countLeadingZeros);
  }
  tzcnt(): Value {
    return this.unary(kernels.countTrailingZeros);
  }
  /** 1 when the number of 1 bits is even (x86 PF uses the low byte: `v.extract(0, 8).evenParity()`). */
  evenParity(): Value {
    return this.unary(kernels.evenParity, 1);
  }
  isZero(): Value {
    return this.unary(kernels.isZero, 1);
  }
  eq(other: Operand): Value {
    return this.binary(kernels.equal, other, 1);
  }
  ltUnsigned(other: Operand): Value {
    return this.binary(kernels.lessUnsigned, other, 1);
  }
  ltSigned(other: Operand): Value {
    return this.binary(kernels.lessSigned, other, 1);
  }
}
