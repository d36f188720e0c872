/**
 * Semantics of the decimal-arithmetic adjustments DAA, DAS, AAA, AAS, AAM and AAD (SDM Vol. 2A, each
 * instruction's Operation section). They exist in 16- and 32-bit mode only (#UD in 64-bit mode, which
 * the decoder already reports).
 */
import type { Expression } from '../ir/expression.js';
import { type SemanticsContext, SemanticsError } from './context.js';
import type { SemanticsFunction } from './types.js';

/** `(AL AND 0FH) > 9 or AF = 1`: the low digit needs adjusting. */
function lowDigitNeedsAdjusting(c: SemanticsContext, al: Expression): Expression {
  const ir = c.ir;
  return ir.or(ir.lessUnsigned(ir.constant(9, 4), ir.extract(al, 0, 4)), c.flag('AF'));
}

/**
 * DAA / DAS: adjust AL after a packed-BCD addition / subtraction.
 *
 *     IF (AL AND 0FH) > 9 or AF = 1: AL ← AL ± 6; AF ← 1 (DAS: CF ← old CF or the borrow) ELSE AF ← 0
 *     IF old AL > 99H or old CF = 1: AL ← AL ± 60H; CF ← 1 ELSE (DAA only) CF ← 0
 *
 * SF, ZF, PF from AL; OF undefined. In DAA the first CF assignment is always overwritten; in DAS it
 * survives when the second condition is false.
 */
function decimalAdjust(subtract: boolean): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const al = c.readRegister('al');
    const oldCarry = c.flag('CF');
    const lowAdjust = lowDigitNeedsAdjusting(c, al);
    const highAdjust = ir.or(ir.lessUnsigned(ir.constant(0x99, 8), al), oldCarry);
    const six = ir.constant(6, 8);
    const sixty = ir.constant(0x60, 8);
    const afterLow = ir.select(lowAdjust, subtract ? ir.subtract(al, six) : ir.add(al, six), al);
    const result = ir.select(
      highAdjust,
      subtract ? ir.subtract(afterLow, sixty) : ir.add(afterLow, sixty),
      afterLow,
    );
    c.writeRegister('al', result);
    c.setFlag('CF', subtract ? ir.or(highAdjust, ir.and(lowAdjust, ir.subtractBorrow(al, six))) : highAdjust);
    c.setFlag('AF', lowAdjust);
    c.setResultFlags(result);
    c.undefinedFlags('OF');
  };
}

/**
 * AAA / AAS: adjust AX after an unpacked-BCD addition / subtraction.
 *
 *     IF (AL AND 0FH) > 9 or AF = 1: AAA: AX ← AX + 106H; AAS: AX ← AX − 6, AH ← AH − 1; AF ← CF ← 1
 *     ELSE AF ← CF ← 0
 *     AL ← AL AND 0FH
 *
 * OF, SF, ZF, PF undefined.
 */
function asciiAdjust(subtract: boolean): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const ax = c.readRegister('ax');
    const adjust = lowDigitNeedsAdjusting(c, ir.extract(ax, 0, 8));
    const adjusted = subtract
      ? ir.subtract(ir.subtract(ax, ir.constant(6, 16)), ir.constant(0x100, 16))
      : ir.add(ax, ir.constant(0x106, 16));
    const result = ir.select(adjust, adjusted, ax);
    c.writeRegister('ax', ir.and(result, ir.constant(0xff0f, 16)));
    c.setFlag('AF', adjust);
    c.setFlag('CF', adjust);
    c.undefinedFlags('OF', 'SF', 'ZF', 'PF');
  };
}

/** The imm8 base of AAM/AAD (10 for the plain mnemonics). */
function base(c: SemanticsContext): number {
  const operand = c.operand(0);
  if (operand.kind !== 'immediate') throw new SemanticsError(`${c.instruction.form.name} needs an imm8 base`);
  return Number(operand.value) & 0xff;
}

/** AAM imm8: AH ← AL / imm8; AL ← AL MOD imm8; #DE when imm8 = 0. SF ZF PF from AL; OF AF CF undefined. */
const asciiAdjustAfterMultiply: SemanticsFunction = (c) => {
  const ir = c.ir;
  const divisor = base(c);
  if (divisor === 0) {
    c.raise('#DE');
    return;
  }
  const al = c.readRegister('al');
  const zero = ir.constant(0, 8);
  const radix = ir.constant(divisor, 8);
  const remainder = ir.remainderUnsigned(zero, al, radix);
  c.writeRegister('ax', ir.concat(ir.quotientUnsigned(zero, al, radix), remainder));
  c.setResultFlags(remainder);
  c.undefinedFlags('OF', 'AF', 'CF');
};

/** AAD imm8: AL ← (AL + AH · imm8) AND FFH; AH ← 0. SF ZF PF from AL; OF AF CF undefined. */
const asciiAdjustBeforeDivide: SemanticsFunction = (c) => {
  const ir = c.ir;
  const result = ir.add(c.readRegister('al'), ir.multiplyLow(c.readRegister('ah'), ir.constant(base(c), 8)));
  c.writeRegister('ax', ir.zeroExtend(result, 16));
  c.setResultFlags(result);
  c.undefinedFlags('OF', 'AF', 'CF');
};

/** Semantics of the BCD families, by family name. */
export const decimalSemantics: Readonly<Record<string, SemanticsFunction>> = {
  daa: decimalAdjust(false),
  das: decimalAdjust(true),
  aaa: asciiAdjust(false),
  aas: asciiAdjust(true),
  aam: asciiAdjustAfterMultiply,
  aad: asciiAdjustBeforeDivide,
};
