/**
 * Builds hash-consed IR expressions, folding constants and the same-operand idioms real CPUs compute
 * without looking at the value (`xor r, r`, `sub r, r`, `cmp r, r`, `sbb r, r`), so those results are
 * *defined* even when the register is not.
 */
import * as kernels from '../value/kernels.js';
import { createFrame, loadBits, loadUndefinedMask, storeBigInt } from '../value/layout.js';
import type { Expression, Location, Operation } from './expression.js';

/** Width in bits of what a location holds. */
export function locationWidth(location: Location): number {
  switch (location.kind) {
    case 'flag':
      return 1;
    case 'segmentBase':
    case 'timestampCounter':
      return 64;
    case 'processorInfo':
      return 32;
    default:
      return location.width;
  }
}

/** Carry/borrow operand of the add and subtract operations, or none. */
export type CarryIn = Expression | null;

const SLOT = 4;
// Constant folding runs the real kernels on a scratch frame: one implementation of every rule.
const foldFrame = createFrame(8);

/** Builds the expressions of one instruction's semantics. Equal subtrees are shared (same object). */
export class IrBuilder {
  private readonly nodes = new Map<string, Expression>();
  private nextId = 0;

  private intern<T extends Expression>(key: string, make: (id: number) => T): T {
    const existing = this.nodes.get(key);
    if (existing) return existing as T;
    const node = make(this.nextId++);
    this.nodes.set(key, node);
    return node;
  }

  /** A defined constant, truncated to `width` bits. */
  constant(value: bigint | number, width: number): Expression {
    const bits = BigInt.asUintN(width, BigInt(value));
    return this.intern(`c${width}:${bits}`, (id) => ({ kind: 'constant', width, value: bits, id }));
  }

  /** The IR's `UNKNOWN()`: an architecturally undefined value. */
  unknown(width: number): Expression {
    return this.intern(`u${width}`, (id) => ({ kind: 'unknown', width, id }));
  }

  /** Reads a register slice, a flag or the instruction pointer. */
  read(location: Location): Expression {
    const width = locationWidth(location);
    return this.intern(`r${JSON.stringify(location)}`, (id) => ({ kind: 'read', width, location, id }));
  }

  /**
   * Reads `width` bits of memory at `address` (optionally FS/GS-relative). With a `condition`, the
   * access happens only when it is 1 (a string instruction with rCX = 0 touches no memory).
   */
  load(
    address: Expression,
    width: number,
    segment: 'fs' | 'gs' | null = null,
    condition: Expression | null = null,
  ): Expression {
    if (condition?.kind === 'constant') {
      if (condition.value === 0n) return this.constant(0, width);
      condition = null;
    }
    return this.intern(`l${width}:${address.id}:${segment}:${condition?.id}`, (id) => ({
      kind: 'load',
      width,
      address,
      segment,
      condition,
      id,
    }));
  }

  private operation(
    operation: Operation,
    width: number,
    args: Expression[],
    parameters: number[] = [],
  ): Expression {
    if (args.every((arg) => arg.kind === 'constant')) return this.fold(operation, width, args, parameters);
    const key = `o${operation}:${width}:${args.map((arg) => arg.id).join(',')}:${parameters.join(',')}`;
    return this.intern(key, (id) => ({ kind: 'operation', operation, width, args, parameters, id }));
  }

  /** Evaluates an operation on constants with the domain's kernels. */
  private fold(operation: Operation, width: number, args: Expression[], parameters: number[]): Expression {
    const slots = args.map((arg, index) => {
      const slot = (index + 1) * SLOT; // slot 0 is the kernels' scratch slot
      storeBigInt(foldFrame, slot, arg.kind === 'constant' ? arg.value : 0n, 0n, arg.width);
      return slot;
    });
    const result = 5 * SLOT;
    bindKernel(operation, result, slots, args, parameters, width)(foldFrame);
    if (loadUndefinedMask(foldFrame, result) !== 0n) return this.unknown(width);
    return this.constant(loadBits(foldFrame, result), width);
  }

  private same(a: Expression, b: Expression, what: string): void {
    if (a.width !== b.width) throw new Error(`IR width mismatch in ${what}: ${a.width} vs ${b.width}`);
  }

  and(a: Expression, b: Expression): Expression {
    this.same(a, b, 'and');
    return a === b ? a : this.operation('and', a.width, [a, b]);
  }
  or(a: Expression, b: Expression): Expression {
    this.same(a, b, 'or');
    return a === b ? a : this.operation('or', a.width, [a, b]);
  }
  /** `x ^ x` is a defined 0 whatever x is. */
  xor(a: Expression, b: Expression): Expression {
    this.same(a, b, 'xor');
    return a === b ? this.constant(0, a.width) : this.operation('xor', a.width, [a, b]);
  }
  not(a: Expression): Expression {
    return this.operation('not', a.width, [a]);
  }

  private withCarry(
    operation: Operation,
    width: number,
    a: Expression,
    b: Expression,
    carry: CarryIn,
  ): Expression {
    this.same(a, b, operation);
    if (carry && carry.width !== 1) throw new Error(`IR carry of ${operation} must be 1 bit`);
    return this.operation(operation, width, carry ? [a, b, carry] : [a, b]);
  }

  add(a: Expression, b: Expression, carry: CarryIn = null): Expression {
    return this.withCarry('add', a.width, a, b, carry);
  }
  addCarry(a: Expression, b: Expression, carry: CarryIn = null): Expression {
    return this.withCarry('addCarry', 1, a, b, carry);
  }
  addOverflow(a: Expression, b: Expression, carry: CarryIn = null): Expression {
    return this.withCarry('addOverflow', 1, a, b, carry);
  }
  addAuxiliaryCarry(a: Expression, b: Expression, carry: CarryIn = null): Expression {
    return this.withCarry('addAuxiliaryCarry', 1, a, b, carry);
  }

  /** `x - x` is 0 and `x - x - borrow` is `-borrow`, whatever x is (SUB/SBB of a register with itself). */
  subtract(a: Expression, b: Expression, borrow: CarryIn = null): Expression {
    if (a === b) return borrow ? this.negate(this.zeroExtend(borrow, a.width)) : this.constant(0, a.width);
    return this.withCarry('subtract', a.width, a, b, borrow);
  }
  /** `x < x + borrow` is the borrow itself. */
  subtractBorrow(a: Expression, b: Expression, borrow: CarryIn = null): Expression {
    if (a === b) return borrow ?? this.constant(0, 1);
    return this.withCarry('subtractBorrow', 1, a, b, borrow);
  }
  /** `x - x - borrow` never overflows. */
  subtractOverflow(a: Expression, b: Expression, borrow: CarryIn = null): Expression {
    if (a === b) return this.constant(0, 1);
    return this.withCarry('subtractOverflow', 1, a, b, borrow);
  }
  /** The low nibbles are equal, so the nibble borrow is the borrow in. */
  subtractAuxiliaryBorrow(a: Expression, b: Expression, borrow: CarryIn = null): Expression {
    if (a === b) return borrow ?? this.constant(0, 1);
    return this.withCarry('subtractAuxiliaryBorrow', 1, a, b, borrow);
  }
  negate(a: Expression): Expression {
    return this.operation('negate', a.width, [a]);
  }
  multiplyLow(a: Expression, b: Expression): Expression {
    this.same(a, b, 'multiplyLow');
    return this.operation('multiplyLow', a.width, [a, b]);
  }
  multiplyHighUnsigned(a: Expression, b: Expression): Expression {
    this.same(a, b, 'multiplyHighUnsigned');
    return this.operation('multiplyHighUnsigned', a.width, [a, b]);
  }
  multiplyHighSigned(a: Expression, b: Expression): Expression {
    this.same(a, b, 'multiplyHighSigned');
    return this.operation('multiplyHighSigned', a.width, [a, b]);
  }

  private division(operation: Operation, high: Expression, low: Expression, divisor: Expression): Expression {
    this.same(high, divisor, operation);
    this.same(low, divisor, operation);
    return this.operation(operation, operation.startsWith('divisionFails') ? 1 : divisor.width, [
      high,
      low,
      divisor,
    ]);
  }
  /** Quotient of the double-width `high : low` by `divisor` (DIV). */
  quotientUnsigned(high: Expression, low: Expression, divisor: Expression): Expression {
    return this.division('quotientUnsigned', high, low, divisor);
  }
  remainderUnsigned(high: Expression, low: Expression, divisor: Expression): Expression {
    return this.division('remainderUnsigned', high, low, divisor);
  }
  /** 1 when DIV faults: divisor 0 or quotient too wide (#DE). */
  divisionFailsUnsigned(high: Expression, low: Expression, divisor: Expression): Expression {
    return this.division('divisionFailsUnsigned', high, low, divisor);
  }
  quotientSigned(high: Expression, low: Expression, divisor: Expression): Expression {
    return this.division('quotientSigned', high, low, divisor);
  }
  remainderSigned(high: Expression, low: Expression, divisor: Expression): Expression {
    return this.division('remainderSigned', high, low, divisor);
  }
  divisionFailsSigned(high: Expression, low: Expression, divisor: Expression): Expression {
    return this.division('divisionFailsSigned', high, low, divisor);
  }

  shiftLeft(a: Expression, count: Expression): Expression {
    return this.operation('shiftLeft', a.width, [a, count]);
  }
  shiftRight(a: Expression, count: Expression): Expression {
    return this.operation('shiftRight', a.width, [a, count]);
  }
  shiftRightArithmetic(a: Expression, count: Expression): Expression {
    return this.operation('shiftRightArithmetic', a.width, [a, count]);
  }
  rotateLeft(a: Expression, count: Expression): Expression {
    return this.operation('rotateLeft', a.width, [a, count]);
  }
  rotateRight(a: Expression, count: Expression): Expression {
    return this.operation('rotateRight', a.width, [a, count]);
  }
  rotateCarryLeft(a: Expression, carry: Expression, count: Expression): Expression {
    return this.operation('rotateCarryLeft', a.width, [a, carry, count]);
  }
  rotateCarryLeftCarryOut(a: Expression, carry: Expression, count: Expression): Expression {
    return this.operation('rotateCarryLeftCarryOut', 1, [a, carry, count]);
  }
  rotateCarryRight(a: Expression, carry: Expression, count: Expression): Expression {
    return this.operation('rotateCarryRight', a.width, [a, carry, count]);
  }
  rotateCarryRightCarryOut(a: Expression, carry: Expression, count: Expression): Expression {
    return this.operation('rotateCarryRightCarryOut', 1, [a, carry, count]);
  }
  /** Bit number `index` of `a` (0 beyond the width). */
  testBit(a: Expression, index: Expression): Expression {
    return this.operation('testBit', 1, [a, index]);
  }

  /** `width` bits of `a` from `lowBit`. */
  extract(a: Expression, lowBit: number, width: number): Expression {
    if (lowBit === 0 && width === a.width) return a;
    if (lowBit + width > a.width) throw new Error(`IR extract [${lowBit}, +${width}) beyond ${a.width} bits`);
    return this.operation('extract', width, [a], [lowBit]);
  }
  /** `high : low`. */
  concat(high: Expression, low: Expression): Expression {
    return this.operation('concat', high.width + low.width, [high, low], [low.width]);
  }
  zeroExtend(a: Expression, width: number): Expression {
    if (width === a.width) return a;
    return this.operation('zeroExtend', width, [a]);
  }
  signExtend(a: Expression, width: number): Expression {
    if (width === a.width) return a;
    return this.operation('signExtend', width, [a], [a.width]);
  }
  /** `condition ? whenTrue : whenFalse`; a constant condition picks at build time. */
  select(condition: Expression, whenTrue: Expression, whenFalse: Expression): Expression {
    this.same(whenTrue, whenFalse, 'select');
    if (condition.kind === 'constant') return condition.value === 1n ? whenTrue : whenFalse;
    if (whenTrue === whenFalse) return whenTrue;
    return this.operation('select', whenTrue.width, [condition, whenTrue, whenFalse]);
  }
  populationCount(a: Expression): Expression {
    return this.operation('populationCount', a.width, [a]);
  }
  countLeadingZeros(a: Expression): Expression {
    return this.operation('countLeadingZeros', a.width, [a]);
  }
  countTrailingZeros(a: Expression): Expression {
    return this.operation('countTrailingZeros', a.width, [a]);
  }
  /** 1 when `a` has an even number of ones (PF takes the low byte). */
  evenParity(a: Expression): Expression {
    return this.operation('evenParity', 1, [a]);
  }
  isZero(a: Expression): Expression {
    return this.operation('isZero', 1, [a]);
  }
  /** `x == x` is 1. */
  equal(a: Expression, b: Expression): Expression {
    this.same(a, b, 'equal');
    return a === b ? this.constant(1, 1) : this.operation('equal', 1, [a, b]);
  }
  lessUnsigned(a: Expression, b: Expression): Expression {
    this.same(a, b, 'lessUnsigned');
    return a === b ? this.constant(0, 1) : this.operation('lessUnsigned', 1, [a, b]);
  }
  lessSigned(a: Expression, b: Expression): Expression {
    this.same(a, b, 'lessSigned');
    return a === b ? this.constant(0, 1) : this.operation('lessSigned', 1, [a, b]);
  }
  /** PDEP: the low bits of `source` scattered to the 1 bits of `mask`. */
  parallelDeposit(source: Expression, mask: Expression): Expression {
    this.same(source, mask, 'parallelDeposit');
    return this.operation('parallelDeposit', source.width, [source, mask]);
  }
  /** PEXT: the bits of `source` at the 1 bits of `mask`, gathered into the low bits. */
  parallelExtract(source: Expression, mask: Expression): Expression {
    this.same(source, mask, 'parallelExtract');
    return this.operation('parallelExtract', source.width, [source, mask]);
  }
  /** The CRC32 instruction's step: the 32-bit `crc` accumulated over `data` (8, 16, 32 or 64 bits). */
  crc32c(crc: Expression, data: Expression): Expression {
    if (crc.width !== 32) throw new Error(`IR crc32c accumulates 32 bits, not ${crc.width}`);
    return this.operation('crc32c', 32, [crc, data]);
  }
}

/**
 * Word offset of the scratch slot every frame given to a {@link bindKernel} closure reserves (division writes
 * both quotient and remainder; the one not asked for goes there).
 */
export const SCRATCH_SLOT = 0;

// The kernels as a plain table, so `applyKernel` can pick one by operation name.
const kernelTable = { ...kernels };

/** A kernel call with its slots bound: run it on a frame. */
export type BoundKernel = (frame: Uint32Array) => void;

/**
 * Binds the kernel of `operation` to frame slots: `args` are operand slot offsets, `dst` the result
 * slot. The choice of kernel happens once, here, not on every execution. Shared by constant folding
 * and the evaluator, so there is one mapping from IR operations to kernels.
 */
export function bindKernel(
  operation: Operation,
  dst: number,
  args: readonly number[],
  argExpressions: readonly Expression[],
  parameters: readonly number[],
  width: number,
): BoundKernel {
  const [a, b, c] = args;
  const operandWidth = argExpressions[0]?.width ?? width;
  const p = parameters[0];
  switch (operation) {
    case 'and':
    case 'or':
    case 'xor': {
      const kernel = kernelTable[operation];
      return (f) => kernel(f, dst, a, b, width);
    }
    case 'not':
    case 'negate': {
      const kernel = kernelTable[operation];
      return (f) => kernel(f, dst, a, width);
    }
    case 'add':
    case 'addCarry':
    case 'addOverflow':
    case 'addAuxiliaryCarry':
    case 'subtract':
    case 'subtractBorrow':
    case 'subtractOverflow':
    case 'subtractAuxiliaryBorrow': {
      const kernel = kernelTable[operation];
      const carry = c ?? kernels.NO_CARRY;
      return (f) => kernel(f, dst, a, b, carry, operandWidth);
    }
    case 'multiplyLow':
    case 'multiplyHighUnsigned':
    case 'multiplyHighSigned':
    case 'shiftLeft':
    case 'shiftRight':
    case 'shiftRightArithmetic':
    case 'rotateLeft':
    case 'rotateRight':
    case 'testBit':
    case 'parallelDeposit':
    case 'parallelExtract':
    case 'equal':
    case 'lessUnsigned':
    case 'lessSigned': {
      const kernel = kernelTable[operation];
      return (f) => kernel(f, dst, a, b, operandWidth);
    }
    case 'rotateCarryLeft':
    case 'rotateCarryLeftCarryOut':
    case 'rotateCarryRight':
    case 'rotateCarryRightCarryOut': {
      const kernel = kernelTable[operation];
      return (f) => kernel(f, dst, a, b, c, operandWidth);
    }
    case 'populationCount':
    case 'countLeadingZeros':
    case 'countTrailingZeros':
    case 'evenParity':
    case 'isZero': {
      const kernel = kernelTable[operation];
      return (f) => kernel(f, dst, a, operandWidth);
    }
    case 'crc32c': {
      const dataWidth = argExpressions[1].width;
      return (f) => kernels.crc32c(f, dst, a, b, dataWidth);
    }
    case 'extract':
      return (f) => kernels.extract(f, dst, a, p, width);
    case 'concat':
      return (f) => kernels.concat(f, dst, a, b, p, width);
    case 'zeroExtend':
      return (f) => kernels.zeroExtend(f, dst, a, width);
    case 'signExtend':
      return (f) => kernels.signExtend(f, dst, a, p, width);
    case 'select':
      return (f) => kernels.select(f, dst, a, b, c, width);
    case 'quotientUnsigned':
    case 'quotientSigned':
    case 'remainderUnsigned':
    case 'remainderSigned':
    case 'divisionFailsUnsigned':
    case 'divisionFailsSigned':
      return (f) => divide(f, operation, dst, a, b, c, operandWidth);
  }
}

/** Runs the division kernel and keeps the part `operation` asks for. */
function divide(
  frame: Uint32Array,
  operation: Operation,
  dst: number,
  high: number,
  low: number,
  divisor: number,
  width: number,
): void {
  const kernel = operation.endsWith('Signed') ? kernels.divideSigned : kernels.divideUnsigned;
  const quotient = operation.startsWith('quotient') ? dst : SCRATCH_SLOT;
  const remainder = operation.startsWith('remainder') ? dst : SCRATCH_SLOT;
  const status = kernel(frame, quotient, remainder, high, low, divisor, width);
  if (!operation.startsWith('divisionFails')) return;
  // Whether DIV faults depends on every input bit: defined only when all of them are.
  const inputsDefined =
    (frame[high + 2] |
      frame[high + 3] |
      frame[low + 2] |
      frame[low + 3] |
      frame[divisor + 2] |
      frame[divisor + 3]) ===
    0;
  frame[dst] = status === kernels.DivisionStatus.ok ? 0 : 1;
  frame[dst + 1] = 0;
  frame[dst + 2] = inputsDefined ? 0 : 1;
  frame[dst + 3] = 0;
  if (!inputsDefined) frame[dst] = 0;
}
