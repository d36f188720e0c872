/**
 * Semantics of data movement (SDM Vol. 2: MOV, MOVZX, MOVSX, MOVSXD, LEA, XCHG, XADD, CMPXCHG, CMOVcc,
 * SETcc, MOVBE, BSWAP, CBW/CWDE/CDQE, CWD/CDQ/CQO, XLAT, PUSH, POP, LEAVE, LAHF, SAHF) and of the flag
 * instructions CLC, STC, CMC, CLD, STD.
 */
import type { Expression } from '../ir/expression.js';
import type { SemanticsContext } from './context.js';
import type { SemanticsFunction } from './types.js';

const move: SemanticsFunction = (c) => c.write(0, c.read(1, c.operandWidth(0)));

const moveZeroExtend: SemanticsFunction = (c) => c.write(0, c.ir.zeroExtend(c.read(1), c.operandWidth(0)));

const moveSignExtend: SemanticsFunction = (c) => {
  const source = c.read(1);
  const width = c.operandWidth(0);
  c.write(0, width === source.width ? source : c.ir.signExtend(source, width));
};

/** LEA: the effective address, truncated or zero-extended to the operand size. */
const loadEffectiveAddress: SemanticsFunction = (c) => {
  const operand = c.operand(1);
  if (operand.kind !== 'memory') throw new Error('lea needs a memory operand');
  const width = c.operandWidth(0);
  const address = c.effectiveAddress(operand);
  c.write(0, width <= address.width ? c.ir.extract(address, 0, width) : c.ir.zeroExtend(address, width));
};

/** XCHG: swap (the `90` NOP is its own family, so `xchg eax, eax` = 87 C0 still zero-extends). */
const exchange: SemanticsFunction = (c) => {
  const a = c.read(0);
  const b = c.read(1, a.width);
  c.write(0, b);
  c.write(1, a);
};

/** XADD: dst := dst + src, src := old dst, flags as ADD. */
const exchangeAdd: SemanticsFunction = (c) => {
  const ir = c.ir;
  const a = c.read(0);
  const b = c.read(1, a.width);
  const sum = ir.add(a, b);
  c.write(1, a);
  c.write(0, sum);
  c.setFlag('CF', ir.addCarry(a, b));
  c.setFlag('OF', ir.addOverflow(a, b));
  c.setFlag('AF', ir.addAuxiliaryCarry(a, b));
  c.setResultFlags(sum);
};

/**
 * CMPXCHG: compare the accumulator with the destination; equal → dst := src, else acc := dst.
 * A memory destination is always written (SDM: "the destination operand receives a write cycle
 * without regard to the result of the comparison"); a register destination is left untouched on
 * failure — in 64-bit mode not even zero-extended (observed on this host; QEMU models Intel alike).
 * Only the register that is written is zero-extended.
 */
const compareExchange: SemanticsFunction = (c) => {
  const ir = c.ir;
  const destination = c.read(0);
  const width = destination.width as 8 | 16 | 32 | 64;
  const accumulatorName = c.register(0, width);
  const accumulator = c.readRegister(accumulatorName);
  const source = c.read(1, width);
  const equal = ir.equal(accumulator, destination);
  const zeroExtends = width === 32 && c.mode === 64;
  // The accumulator first: when the destination *is* the accumulator, the destination write wins.
  if (zeroExtends)
    c.writeRegister('rax', ir.select(equal, c.readRegister('rax'), ir.zeroExtend(destination, 64)));
  else c.assign(c.registerLocation(accumulatorName), ir.select(equal, accumulator, destination));
  const operand = c.operand(0);
  if (operand.kind === 'register' && zeroExtends) {
    const full = c.containerOf(operand.register);
    c.writeRegister(full, ir.select(equal, ir.zeroExtend(source, 64), c.readRegister(full)));
  } else {
    c.write(0, ir.select(equal, source, destination));
  }
  c.setSubtractionFlags(accumulator, destination);
};

/** CMOVcc: a false condition still writes (and so zero-extends) a 32-bit destination in 64-bit mode. */
const conditionalMove: SemanticsFunction = (c) => {
  const destination = c.read(0);
  const condition = c.condition(c.instruction.form.conditionCode ?? 0);
  c.write(0, c.ir.select(condition, c.read(1, destination.width), destination));
};

const setOnCondition: SemanticsFunction = (c) => {
  c.write(0, c.ir.zeroExtend(c.condition(c.instruction.form.conditionCode ?? 0), 8));
};

/** Reverses the bytes of a value. */
function byteSwap(c: SemanticsContext, value: Expression): Expression {
  const ir = c.ir;
  let result: Expression | null = null;
  for (let byte = 0; byte < value.width / 8; byte++) {
    const part = ir.extract(value, byte * 8, 8);
    result = result ? ir.concat(result, part) : part;
  }
  return result!;
}

const byteSwapRegister: SemanticsFunction = (c) => {
  const value = c.read(0);
  // BSWAP of a 16-bit register is undefined (SDM "BSWAP").
  c.write(0, value.width === 16 ? c.ir.unknown(16) : byteSwap(c, value));
};

const moveByteSwapped: SemanticsFunction = (c) => c.write(0, byteSwap(c, c.read(1, c.operandWidth(0))));

/** CBW/CWDE/CDQE: sign-extend the lower half of the accumulator into all of it. */
const signExtendAccumulator: SemanticsFunction = (c) => {
  const width = c.operandSize;
  const half = c.readRegister(c.register(0, (width / 2) as 8 | 16 | 32));
  c.writeRegister(c.register(0, width), c.ir.signExtend(half, width));
};

/** CWD/CDQ/CQO: rDX := the sign of rAX, repeated. */
const signExtendIntoDx: SemanticsFunction = (c) => {
  const ir = c.ir;
  const width = c.operandSize;
  const accumulator = c.readRegister(c.register(0, width));
  c.writeRegister(c.register(2, width), ir.shiftRightArithmetic(accumulator, ir.constant(width - 1, 8)));
};

/** XLAT: AL := [rBX + zero-extended AL]. */
const translate: SemanticsFunction = (c) => {
  const ir = c.ir;
  const base = c.readRegister(c.register(3, c.instruction.addressSize === 64 ? 64 : 32));
  const address = ir.add(base, ir.zeroExtend(c.readRegister('al'), base.width));
  c.writeRegister('al', ir.load(ir.zeroExtend(address, c.addressWidth), 8));
};

const push: SemanticsFunction = (c) => {
  const operand = c.operand(0);
  if (operand.kind === 'register' && ['es', 'cs', 'ss', 'ds', 'fs', 'gs'].includes(operand.register)) {
    throw new Error('push of a segment register is not executable yet');
  }
  c.push(c.read(0, c.instruction.operandSize));
};

const pop: SemanticsFunction = (c) => {
  const value = c.pop(c.instruction.operandSize);
  c.write(0, value);
};

/** LEAVE: rSP := rBP; rBP := pop. */
const leave: SemanticsFunction = (c) => {
  const ir = c.ir;
  const width = c.instruction.operandSize;
  const framePointer = c.readRegister(c.mode === 64 ? 'rbp' : 'ebp');
  const value = ir.load(framePointer, width);
  c.writeRegister(c.stackPointer, ir.add(framePointer, ir.constant(width / 8, framePointer.width)));
  c.writeRegister(c.register(5, width), value);
};

/** LAHF: AH := SF:ZF:0:AF:0:PF:1:CF. */
const loadFlagsIntoAh: SemanticsFunction = (c) => {
  const ir = c.ir;
  const bit = (value: number) => ir.constant(value, 1);
  const parts = [
    c.flag('SF'),
    c.flag('ZF'),
    bit(0),
    c.flag('AF'),
    bit(0),
    c.flag('PF'),
    bit(1),
    c.flag('CF'),
  ];
  c.writeRegister(
    'ah',
    parts.reduce((high, low) => ir.concat(high, low)),
  );
};

/** SAHF: SF, ZF, AF, PF, CF from AH. */
const storeAhIntoFlags: SemanticsFunction = (c) => {
  const ah = c.readRegister('ah');
  const positions = { CF: 0, PF: 2, AF: 4, ZF: 6, SF: 7 } as const;
  for (const [flag, position] of Object.entries(positions) as [keyof typeof positions, number][]) {
    c.setFlag(flag, c.ir.extract(ah, position, 1));
  }
};

const setFlagTo =
  (flag: 'CF' | 'DF', value: number): SemanticsFunction =>
  (c) =>
    c.setFlag(flag, c.ir.constant(value, 1));

/** Semantics of the data-movement and flag families, by family name. */
/**
 * ARPL: raise the destination selector's RPL (bits 1:0) to the source's when it is lower, and say so
 * in ZF (SDM "ARPL"). The destination is written back either way (unchanged when not adjusted).
 */
const adjustRequestedPrivilegeLevel: SemanticsFunction = (c) => {
  const destination = c.read(0);
  const source = c.read(1);
  const requested = c.ir.extract(source, 0, 2);
  const lower = c.ir.lessUnsigned(c.ir.extract(destination, 0, 2), requested);
  c.write(0, c.ir.select(lower, c.ir.concat(c.ir.extract(destination, 2, 14), requested), destination));
  c.setFlag('ZF', lower);
};

export const dataMovementSemantics: Readonly<Record<string, SemanticsFunction>> = {
  arpl: adjustRequestedPrivilegeLevel,
  mov: move,
  movzx: moveZeroExtend,
  movsx: moveSignExtend,
  movsxd: moveSignExtend,
  lea: loadEffectiveAddress,
  xchg: exchange,
  xadd: exchangeAdd,
  cmpxchg: compareExchange,
  cmovcc: conditionalMove,
  setcc: setOnCondition,
  bswap: byteSwapRegister,
  movbe: moveByteSwapped,
  cbw: signExtendAccumulator,
  cwd: signExtendIntoDx,
  xlat: translate,
  push,
  pop,
  leave,
  lahf: loadFlagsIntoAh,
  sahf: storeAhIntoFlags,
  clc: setFlagTo('CF', 0),
  stc: setFlagTo('CF', 1),
  cmc: (c) => c.setFlag('CF', c.ir.not(c.flag('CF'))),
  cld: setFlagTo('DF', 0),
  std: setFlagTo('DF', 1),
};
