/**
 * Semantics of shifts and rotates (SDM Vol. 2 "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR", "SHLD", "SHRD").
 *
 * The count is masked to 5 bits (6 for 64-bit operands). Undefinedness is dynamic and exact:
 * a masked count of 0 changes no flag; OF is defined only for a count of 1; AF is undefined after
 * any nonzero shift; SHL/SHR of 8/16-bit operands by a count >= the operand size leave CF undefined.
 */
import type { Expression } from '../ir/expression.js';
import type { SemanticsContext } from './context.js';
import type { SemanticsFunction } from './types.js';

/** The masked count as an 8-bit value, and the width of the shifted operand. */
function maskedCount(c: SemanticsContext, countOperand: number, width: number): Expression {
  const ir = c.ir;
  const raw = c.read(countOperand, 8);
  return ir.and(raw, ir.constant(width === 64 ? 0x3f : 0x1f, 8));
}

/** `flag := countIsZero ? flag : value` — the count-0 rule, for every flag the shift defines. */
function unlessZero(
  c: SemanticsContext,
  countIsZero: Expression,
  flag: 'CF' | 'OF' | 'SF' | 'ZF' | 'PF' | 'AF',
  value: Expression,
) {
  c.setFlag(flag, c.ir.select(countIsZero, c.flag(flag), value));
}

/** `count >= width`, for 8/16-bit operands whose masked count can exceed their size. */
function countExceeds(c: SemanticsContext, count: Expression, limit: number): Expression {
  const ir = c.ir;
  return ir.not(ir.lessUnsigned(count, ir.constant(limit, 8)));
}

/** The shifted operand and its masked count, with the two counts the flag rules single out. */
function shiftOperands(c: SemanticsContext, countOperand: number) {
  const ir = c.ir;
  const value = c.read(0);
  const width = value.width;
  const count = maskedCount(c, countOperand, width);
  const zero = ir.equal(count, ir.constant(0, 8));
  const one = ir.equal(count, ir.constant(1, 8));
  return { value, width, count, zero, one };
}

type ShiftKind = 'shl' | 'shr' | 'sar';

function shift(kind: ShiftKind): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const { value, width, count, zero, one } = shiftOperands(c, 1);
    const result =
      kind === 'shl'
        ? ir.shiftLeft(value, count)
        : kind === 'shr'
          ? ir.shiftRight(value, count)
          : ir.shiftRightArithmetic(value, count);
    c.write(0, result);
    // CF is the last bit shifted out.
    const countMinusOne = ir.subtract(count, ir.constant(1, 8));
    let carry =
      kind === 'shl'
        ? ir.testBit(value, ir.subtract(ir.constant(width, 8), count))
        : ir.extract(ir.shiftRightArithmetic(value, countMinusOne), 0, 1);
    if (kind === 'shr') carry = ir.testBit(value, countMinusOne);
    if (kind !== 'sar' && width < 32) carry = ir.select(countExceeds(c, count, width), ir.unknown(1), carry);
    unlessZero(c, zero, 'CF', carry);
    const msb = (x: Expression) => ir.extract(x, width - 1, 1);
    const overflowForOne =
      kind === 'shl' ? ir.xor(msb(result), carry) : kind === 'shr' ? msb(value) : ir.constant(0, 1);
    unlessZero(c, zero, 'OF', ir.select(one, overflowForOne, ir.unknown(1)));
    unlessZero(c, zero, 'SF', msb(result));
    unlessZero(c, zero, 'ZF', ir.isZero(result));
    unlessZero(c, zero, 'PF', ir.evenParity(ir.extract(result, 0, 8)));
    unlessZero(c, zero, 'AF', ir.unknown(1));
  };
}

/** ROL/ROR: CF and (for a count of 1) OF change; the other flags do not. */
function rotate(left: boolean): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const { value, width, count, zero, one } = shiftOperands(c, 1);
    const result = left ? ir.rotateLeft(value, count) : ir.rotateRight(value, count);
    c.write(0, result);
    const msb = ir.extract(result, width - 1, 1);
    const carry = left ? ir.extract(result, 0, 1) : msb;
    unlessZero(c, zero, 'CF', carry);
    const overflowForOne = left ? ir.xor(msb, carry) : ir.xor(msb, ir.extract(result, width - 2, 1));
    unlessZero(c, zero, 'OF', ir.select(one, overflowForOne, ir.unknown(1)));
  };
}

/** RCL/RCR: rotate through CF, by the masked count modulo width + 1. */
function rotateThroughCarry(left: boolean): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const { value, width, count, zero, one } = shiftOperands(c, 1);
    const carryIn = c.flag('CF');
    const result = left
      ? ir.rotateCarryLeft(value, carryIn, count)
      : ir.rotateCarryRight(value, carryIn, count);
    const carryOut = left
      ? ir.rotateCarryLeftCarryOut(value, carryIn, count)
      : ir.rotateCarryRightCarryOut(value, carryIn, count);
    c.write(0, result);
    unlessZero(c, zero, 'CF', carryOut);
    const msb = (x: Expression) => ir.extract(x, width - 1, 1);
    const overflowForOne = left ? ir.xor(msb(result), carryOut) : ir.xor(msb(value), carryIn);
    unlessZero(c, zero, 'OF', ir.select(one, overflowForOne, ir.unknown(1)));
  };
}

/**
 * SHLD/SHRD: shift the destination, filling from the source. A count above the operand size (only
 * possible for 16-bit operands) leaves the destination and all flags undefined.
 */
function doubleShift(left: boolean): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const { value: destination, width, count, zero, one } = shiftOperands(c, 2);
    const source = c.read(1, width);
    const wide = left ? ir.concat(destination, source) : ir.concat(source, destination);
    const doubled = width === 64 ? null : wide;
    let result: Expression;
    let carry: Expression;
    if (doubled) {
      const shifted = left ? ir.shiftLeft(doubled, count) : ir.shiftRight(doubled, count);
      result = left ? ir.extract(shifted, width, width) : ir.extract(shifted, 0, width);
      carry = left
        ? ir.testBit(doubled, ir.subtract(ir.constant(2 * width, 8), count))
        : ir.testBit(doubled, ir.subtract(count, ir.constant(1, 8)));
    } else {
      // 64-bit: combine two shifts (count is 1..63 when nonzero).
      const back = ir.subtract(ir.constant(64, 8), count);
      result = left
        ? ir.or(ir.shiftLeft(destination, count), ir.shiftRight(source, back))
        : ir.or(ir.shiftRight(destination, count), ir.shiftLeft(source, back));
      result = ir.select(zero, destination, result);
      carry = left
        ? ir.testBit(destination, back)
        : ir.testBit(destination, ir.subtract(count, ir.constant(1, 8)));
    }
    const tooFar = width === 16 ? countExceeds(c, count, 17) : ir.constant(0, 1);
    const unknownWhenTooFar = (x: Expression) => ir.select(tooFar, ir.unknown(x.width), x);
    c.write(0, unknownWhenTooFar(result));
    unlessZero(c, zero, 'CF', unknownWhenTooFar(carry));
    const msb = (x: Expression) => ir.extract(x, width - 1, 1);
    unlessZero(
      c,
      zero,
      'OF',
      unknownWhenTooFar(ir.select(one, ir.xor(msb(result), msb(destination)), ir.unknown(1))),
    );
    unlessZero(c, zero, 'SF', unknownWhenTooFar(msb(result)));
    unlessZero(c, zero, 'ZF', unknownWhenTooFar(ir.isZero(result)));
    unlessZero(c, zero, 'PF', unknownWhenTooFar(ir.evenParity(ir.extract(result, 0, 8))));
    unlessZero(c, zero, 'AF', ir.unknown(1));
  };
}

/** Semantics of the shift and rotate families, by family name. */
export const shiftSemantics: Readonly<Record<string, SemanticsFunction>> = {
  shl: shift('shl'),
  sal: shift('shl'),
  shr: shift('shr'),
  sar: shift('sar'),
  rol: rotate(true),
  ror: rotate(false),
  rcl: rotateThroughCarry(true),
  rcr: rotateThroughCarry(false),
  shld: doubleShift(true),
  shrd: doubleShift(false),
};
