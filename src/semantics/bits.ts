/**
 * Semantics of bit instructions (SDM Vol. 2: BT/BTS/BTR/BTC, BSF, BSR, TZCNT, LZCNT, POPCNT, and the
 * BMI1/BMI2 group: ANDN, BEXTR, BLSI, BLSMSK, BLSR, BZHI, MULX, PDEP/PEXT (not yet), RORX, SARX,
 * SHLX, SHRX).
 */
import type { Expression } from '../ir/expression.js';
import type { SemanticsContext } from './context.js';
import type { SemanticsFunction } from './types.js';

/**
 * BT/BTS/BTR/BTC. With a register destination the offset is taken modulo the width. With a memory
 * destination and a register offset, the offset is a signed bit string index: the byte address
 * moves by offset >> 3 (SDM "BT", "Bit(BitBase, BitOffset)").
 */
function bitTest(change: 'none' | 'set' | 'reset' | 'complement'): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const width = c.operandWidth(0);
    const destinationOperand = c.operand(0);
    const offsetOperand = c.operand(1);
    const offset = c.read(1, width);
    let base: Expression;
    let bitIndex: Expression;
    let address: Expression | null = null;
    if (destinationOperand.kind === 'memory' && offsetOperand.kind === 'register') {
      // Address the operand-sized unit that holds the bit: base + (offset >>s log2(width)) * width/8.
      const unitShift = Math.log2(width);
      const unitIndex = ir.shiftRightArithmetic(ir.signExtend(offset, 64), ir.constant(unitShift, 8));
      const byteOffset = ir.shiftLeft(unitIndex, ir.constant(Math.log2(width / 8), 8));
      address = ir.add(c.effectiveAddress(destinationOperand), ir.extract(byteOffset, 0, c.addressWidth));
      base = ir.load(address, width);
      bitIndex = ir.and(ir.extract(offset, 0, 8), ir.constant(width - 1, 8));
    } else {
      base = c.read(0);
      bitIndex = ir.and(ir.extract(offset, 0, 8), ir.constant(width - 1, 8));
    }
    c.setFlag('CF', ir.testBit(base, bitIndex));
    c.undefinedFlags('OF', 'SF', 'AF', 'PF');
    if (change === 'none') return;
    const mask = ir.shiftLeft(ir.constant(1, width), bitIndex);
    const result =
      change === 'set'
        ? ir.or(base, mask)
        : change === 'reset'
          ? ir.and(base, ir.not(mask))
          : ir.xor(base, mask);
    if (address) c.store(address, result);
    else c.write(0, result);
  };
}

/**
 * BSF/BSR: ZF = (source == 0); a zero source leaves the destination undefined — in 64-bit mode the
 * whole 64-bit register, since CPUs differ (this host leaves it unchanged; Intel may zero-extend).
 */
function bitScan(reverse: boolean): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const source = c.read(1);
    const width = source.width;
    const sourceIsZero = ir.isZero(source);
    const index = reverse
      ? ir.subtract(ir.constant(width - 1, width), ir.countLeadingZeros(source))
      : ir.countTrailingZeros(source);
    c.setFlag('ZF', sourceIsZero);
    c.undefinedFlags('CF', 'OF', 'SF', 'AF', 'PF');
    const destination = c.operand(0);
    if (destination.kind === 'register' && width === 32 && c.mode === 64) {
      const full = c.containerOf(destination.register);
      c.writeRegister(full, ir.select(sourceIsZero, ir.unknown(64), ir.zeroExtend(index, 64)));
      return;
    }
    c.write(0, ir.select(sourceIsZero, ir.unknown(width), index));
  };
}

/** TZCNT/LZCNT: the count (width for a zero source); CF = source is zero; ZF = count is zero. */
function countZeros(trailing: boolean): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const source = c.read(1);
    const count = trailing ? ir.countTrailingZeros(source) : ir.countLeadingZeros(source);
    c.write(0, count);
    c.setFlag('CF', ir.isZero(source));
    c.setFlag('ZF', ir.isZero(count));
    c.undefinedFlags('OF', 'SF', 'AF', 'PF');
  };
}

/** POPCNT: ZF = source is zero; OF, SF, AF, CF, PF cleared. */
const populationCount: SemanticsFunction = (c) => {
  const ir = c.ir;
  const source = c.read(1);
  c.write(0, ir.populationCount(source));
  c.setFlag('ZF', ir.isZero(source));
  for (const flag of ['OF', 'SF', 'AF', 'CF', 'PF'] as const) c.setFlag(flag, ir.constant(0, 1));
};

/** Flags of the BMI1 logic group: SF/ZF from the result, OF = 0, AF/PF undefined; CF as given. */
function bmiFlags(c: SemanticsContext, result: Expression, carry: Expression): void {
  const ir = c.ir;
  c.setFlag('SF', ir.extract(result, result.width - 1, 1));
  c.setFlag('ZF', ir.isZero(result));
  c.setFlag('OF', ir.constant(0, 1));
  c.setFlag('CF', carry);
  c.undefinedFlags('AF', 'PF');
}

/** ANDN: dst := ~src1 & src2. */
const andNot: SemanticsFunction = (c) => {
  const ir = c.ir;
  const result = ir.and(ir.not(c.read(1)), c.read(2));
  c.write(0, result);
  bmiFlags(c, result, ir.constant(0, 1));
};

/** BLSI / BLSMSK / BLSR: lowest-set-bit tricks on src; CF per the SDM. */
function lowestSetBit(kind: 'isolate' | 'mask' | 'reset'): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const source = c.read(1);
    const one = ir.constant(1, source.width);
    const result =
      kind === 'isolate'
        ? ir.and(ir.negate(source), source)
        : kind === 'mask'
          ? ir.xor(ir.subtract(source, one), source)
          : ir.and(ir.subtract(source, one), source);
    c.write(0, result);
    // BLSI: CF = source != 0; BLSMSK and BLSR: CF = source == 0.
    const sourceIsZero = ir.isZero(source);
    bmiFlags(c, result, kind === 'isolate' ? ir.not(sourceIsZero) : sourceIsZero);
    if (kind === 'mask') c.setFlag('ZF', ir.constant(0, 1));
  };
}

/** SHLX/SHRX/SARX/RORX: shifts by a register (or rotate by an immediate) with no flags changed. */
function shiftNoFlags(kind: 'shl' | 'shr' | 'sar' | 'ror'): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const value = c.read(1);
    const width = value.width;
    const count = ir.and(ir.extract(c.read(2), 0, 8), ir.constant(width === 64 ? 0x3f : 0x1f, 8));
    const result =
      kind === 'shl'
        ? ir.shiftLeft(value, count)
        : kind === 'shr'
          ? ir.shiftRight(value, count)
          : kind === 'sar'
            ? ir.shiftRightArithmetic(value, count)
            : ir.rotateRight(value, count);
    c.write(0, result);
  };
}

/** BZHI: zero the bits from index src2[7:0] up; CF = index > width - 1. */
const zeroHighBits: SemanticsFunction = (c) => {
  const ir = c.ir;
  const source = c.read(1);
  const width = source.width;
  const index = ir.extract(c.read(2), 0, 8);
  const beyond = ir.not(ir.lessUnsigned(index, ir.constant(width, 8)));
  const mask = ir.not(ir.shiftLeft(ir.not(ir.constant(0, width)), index));
  const result = ir.select(beyond, source, ir.and(source, mask));
  c.write(0, result);
  bmiFlags(c, result, beyond);
};

/** BEXTR: extract src1[start + len - 1 : start], start = src2[7:0], len = src2[15:8]. */
const bitFieldExtract: SemanticsFunction = (c) => {
  const ir = c.ir;
  const source = c.read(1);
  const width = source.width;
  const control = c.read(2);
  const start = ir.extract(control, 0, 8);
  const length = ir.extract(control, 8, 8);
  const shifted = ir.shiftRight(source, start);
  const mask = ir.not(ir.shiftLeft(ir.not(ir.constant(0, width)), length));
  const result = ir.and(shifted, mask);
  c.write(0, result);
  bmiFlags(c, result, ir.constant(0, 1));
  c.undefinedFlags('SF');
};

/** MULX: unsigned rDX * src; high half to operand 0, low half to operand 1 (VEX.vvvv); no flags. */
const multiplyNoFlags: SemanticsFunction = (c) => {
  const ir = c.ir;
  const source = c.read(2);
  const width = source.width as 32 | 64;
  const multiplicand = c.readRegister(c.register(2, width));
  c.write(1, ir.multiplyLow(multiplicand, source));
  c.write(0, ir.multiplyHighUnsigned(multiplicand, source));
};

/** Semantics of the bit families, by family name. */
export const bitSemantics: Readonly<Record<string, SemanticsFunction>> = {
  bt: bitTest('none'),
  bts: bitTest('set'),
  btr: bitTest('reset'),
  btc: bitTest('complement'),
  bsf: bitScan(false),
  bsr: bitScan(true),
  tzcnt: countZeros(true),
  lzcnt: countZeros(false),
  popcnt: populationCount,
  andn: andNot,
  blsi: lowestSetBit('isolate'),
  blsmsk: lowestSetBit('mask'),
  blsr: lowestSetBit('reset'),
  bzhi: zeroHighBits,
  bextr: bitFieldExtract,
  shlx: shiftNoFlags('shl'),
  shrx: shiftNoFlags('shr'),
  sarx: shiftNoFlags('sar'),
  rorx: shiftNoFlags('ror'),
  mulx: multiplyNoFlags,
};
