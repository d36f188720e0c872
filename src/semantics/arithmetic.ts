/**
 * Semantics of integer arithmetic and logic (SDM Vol. 2: ADD, ADC, SUB, SBB, CMP, AND, OR, XOR, TEST,
 * NEG, NOT, INC, DEC, MUL, IMUL, DIV, IDIV).
 */
import type { Expression } from '../ir/expression.js';
import type { SemanticsContext } from './context.js';
import type { SemanticsFunction } from './types.js';

/** ADD/ADC (`withCarry`): all six status flags from the sum. */
function addition(withCarry: boolean, writeBack = true): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const a = c.read(0);
    const b = c.read(1, a.width);
    const carry = withCarry ? c.flag('CF') : null;
    const sum = ir.add(a, b, carry);
    if (writeBack) c.write(0, sum);
    c.setFlag('CF', ir.addCarry(a, b, carry));
    c.setFlag('OF', ir.addOverflow(a, b, carry));
    c.setFlag('AF', ir.addAuxiliaryCarry(a, b, carry));
    c.setResultFlags(sum);
  };
}

/** SUB/SBB/CMP: all six status flags from the difference; CMP does not write it back. */
function subtraction(withBorrow: boolean, writeBack: boolean): SemanticsFunction {
  return (c) => {
    const a = c.read(0);
    const b = c.read(1, a.width);
    const difference = c.setSubtractionFlags(a, b, withBorrow ? c.flag('CF') : null);
    if (writeBack) c.write(0, difference);
  };
}

/** AND/OR/XOR/TEST: OF = CF = 0, AF undefined, SF/ZF/PF from the result (SDM "Flags Affected"). */
function logic(operation: 'and' | 'or' | 'xor', writeBack: boolean): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const a = c.read(0);
    const b = c.read(1, a.width);
    const result = ir[operation](a, b);
    if (writeBack) c.write(0, result);
    c.setFlag('CF', ir.constant(0, 1));
    c.setFlag('OF', ir.constant(0, 1));
    c.undefinedFlags('AF');
    c.setResultFlags(result);
  };
}

/** INC/DEC: like ADD/SUB 1, but CF is unchanged. */
function incrementOrDecrement(decrement: boolean): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const a = c.read(0);
    const one = ir.constant(1, a.width);
    const result = decrement ? ir.subtract(a, one) : ir.add(a, one);
    c.write(0, result);
    c.setFlag('OF', decrement ? ir.subtractOverflow(a, one) : ir.addOverflow(a, one));
    c.setFlag('AF', decrement ? ir.subtractAuxiliaryBorrow(a, one) : ir.addAuxiliaryCarry(a, one));
    c.setResultFlags(result);
  };
}

/** NEG: 0 - a; CF = (a != 0). */
const negate: SemanticsFunction = (c) => {
  const a = c.read(0);
  c.write(0, c.setSubtractionFlags(c.ir.constant(0, a.width), a));
};

/** NOT: no flags. */
const complement: SemanticsFunction = (c) => c.write(0, c.ir.not(c.read(0)));

/**
 * Where the one-operand MUL/IMUL/DIV/IDIV keep their double-width value: AH:AL (AX) for bytes,
 * rDX:rAX otherwise.
 */
function accumulatorPair(c: SemanticsContext, width: number): { high: Expression; low: Expression } {
  if (width === 8) return { high: c.readRegister('ah'), low: c.readRegister('al') };
  const w = width as 16 | 32 | 64;
  return { high: c.readRegister(c.register(2, w)), low: c.readRegister(c.register(0, w)) };
}

function writeAccumulatorPair(c: SemanticsContext, width: number, high: Expression, low: Expression): void {
  if (width === 8) return c.writeRegister('ax', c.ir.concat(high, low));
  const w = width as 16 | 32 | 64;
  c.writeRegister(c.register(2, w), high);
  c.writeRegister(c.register(0, w), low);
}

/**
 * One-operand MUL/IMUL: rDX:rAX := rAX * src. CF = OF = 1 when the high half is significant;
 * SF, ZF, AF, PF undefined (SDM "MUL", "IMUL").
 */
function multiplyWide(signed: boolean): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const source = c.read(0);
    const width = source.width;
    const { low: accumulator } = accumulatorPair(c, width);
    const low = ir.multiplyLow(accumulator, source);
    const high = signed
      ? ir.multiplyHighSigned(accumulator, source)
      : ir.multiplyHighUnsigned(accumulator, source);
    writeAccumulatorPair(c, width, high, low);
    const extension = signed
      ? ir.shiftRightArithmetic(low, ir.constant(width - 1, 8))
      : ir.constant(0, width);
    const significant = ir.not(ir.equal(high, extension));
    c.setFlag('CF', significant);
    c.setFlag('OF', significant);
    c.undefinedFlags('SF', 'ZF', 'AF', 'PF');
  };
}

/** Two- and three-operand IMUL: dst := truncated product; CF = OF = the product did not fit. */
const multiplyTruncating: SemanticsFunction = (c) => {
  const ir = c.ir;
  const operandCount = c.instruction.operands.length;
  const a = operandCount === 3 ? c.read(1) : c.read(0);
  const b = operandCount === 3 ? c.read(2, a.width) : c.read(1, a.width);
  const low = ir.multiplyLow(a, b);
  const high = ir.multiplyHighSigned(a, b);
  c.write(0, low);
  const overflow = ir.not(ir.equal(high, ir.shiftRightArithmetic(low, ir.constant(a.width - 1, 8))));
  c.setFlag('CF', overflow);
  c.setFlag('OF', overflow);
  c.undefinedFlags('SF', 'ZF', 'AF', 'PF');
};

/** IMUL's three shapes share one family: one operand widens, two or three truncate. */
const multiplySigned: SemanticsFunction = (c) =>
  c.instruction.operands.length === 1 ? multiplyWide(true)(c) : multiplyTruncating(c);

/**
 * DIV/IDIV: quotient and remainder of rDX:rAX (AX for bytes) by the source; #DE when the divisor is 0
 * or the quotient does not fit; all six status flags undefined (SDM "DIV", "IDIV").
 */
function divide(signed: boolean): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const divisor = c.read(0);
    const width = divisor.width;
    const { high, low } = accumulatorPair(c, width);
    const fails = signed
      ? ir.divisionFailsSigned(high, low, divisor)
      : ir.divisionFailsUnsigned(high, low, divisor);
    c.raise('#DE', fails);
    const quotient = signed ? ir.quotientSigned(high, low, divisor) : ir.quotientUnsigned(high, low, divisor);
    const remainder = signed
      ? ir.remainderSigned(high, low, divisor)
      : ir.remainderUnsigned(high, low, divisor);
    writeAccumulatorPair(c, width, remainder, quotient);
    c.undefinedFlags('CF', 'OF', 'SF', 'ZF', 'AF', 'PF');
  };
}

/** Semantics of the arithmetic families, by family name. */
export const arithmeticSemantics: Readonly<Record<string, SemanticsFunction>> = {
  add: addition(false),
  adc: addition(true),
  sub: subtraction(false, true),
  sbb: subtraction(true, true),
  cmp: subtraction(false, false),
  and: logic('and', true),
  or: logic('or', true),
  xor: logic('xor', true),
  test: logic('and', false),
  inc: incrementOrDecrement(false),
  dec: incrementOrDecrement(true),
  neg: negate,
  not: complement,
  mul: multiplyWide(false),
  imul: multiplySigned,
  div: divide(false),
  idiv: divide(true),
};
