/**
 * What a semantics function works with: the decoded instruction, an {@link IrBuilder}, and helpers
 * that turn operands into expressions and effects into statements — register aliasing (a 32-bit
 * write in 64-bit mode zero-extends the whole register, SDM Vol. 1 §3.4.1.1), effective addresses,
 * the status flags of a result.
 */
import type { Instruction } from '../decoder/instruction.js';
import { IrBuilder } from '../ir/builder.js';
import type { ExceptionVector, Expression, FlagBit, Location, Statement } from '../ir/expression.js';
import { conditionCodes } from '../isa/conditions.js';
import type { MemoryOperand, Operand } from '../isa/operands.js';
import { generalRegister, type RegisterName, registerInfo } from '../isa/registers.js';

/** Thrown by a semantics function for an operand combination it cannot express (a bug, not bad input). */
export class SemanticsError extends Error {
  override readonly name = 'SemanticsError';
}

/** Builds the statements of one instruction at one address. */
export class SemanticsContext {
  readonly ir = new IrBuilder();
  readonly statements: Statement[] = [];
  /** The address of the next instruction (RIP-relative operands and branches are relative to it). */
  readonly nextAddress: bigint;

  constructor(
    readonly instruction: Instruction,
    /** Where the instruction is. */
    readonly address: bigint,
  ) {
    this.nextAddress = address + BigInt(instruction.length);
  }

  /** The processor mode: 32 or 64 (16-bit code decodes but does not execute). */
  get mode(): 32 | 64 {
    return this.instruction.mode === 64 ? 64 : 32;
  }

  /** Width of addresses and of the instruction pointer in this mode. */
  get addressWidth(): 32 | 64 {
    return this.mode;
  }

  /** The instruction's effective operand size. */
  get operandSize(): 16 | 32 | 64 {
    return this.instruction.operandSize;
  }

  /** Operand `index`, as decoded. */
  operand(index: number): Operand {
    const operand = this.instruction.operands[index];
    if (!operand) throw new SemanticsError(`${this.instruction.form.name} has no operand ${index}`);
    return operand;
  }

  /** Width in bits of operand `index` as the form declares it. */
  operandWidth(index: number): number {
    return this.instruction.form.operands[index].size;
  }

  /** The location a register name denotes (AH is bits 8..15 of RAX; EAX bits 0..31). */
  registerLocation(name: RegisterName): Location {
    const info = registerInfo(name);
    if (!info || (info.class !== 'gpr8' && info.class !== 'gpr8high' && !info.class.startsWith('gpr'))) {
      throw new SemanticsError(`not a general register: ${name}`);
    }
    const container = registerInfo(info.container);
    return {
      kind: 'gpr',
      index: container?.number ?? info.number,
      lowBit: info.bitOffset,
      width: info.width,
      name,
    };
  }

  /** The 64-bit register a register is part of (`eax` → `rax`, `ah` → `rax`). */
  containerOf(name: RegisterName): RegisterName {
    return registerInfo(name)?.container ?? name;
  }

  /** Reads a general register. */
  readRegister(name: RegisterName): Expression {
    return this.ir.read(this.registerLocation(name));
  }

  /**
   * Writes a general register; a 32-bit write in 64-bit mode writes the whole 64-bit register,
   * zero-extended (the upper half becomes a *defined* 0).
   */
  writeRegister(name: RegisterName, value: Expression): void {
    const location = this.registerLocation(name);
    if (location.kind === 'gpr' && location.width === 32 && this.mode === 64) {
      this.assign(this.registerLocation(this.containerOf(name)), this.ir.zeroExtend(value, 64));
      return;
    }
    this.assign(location, value);
  }

  /**
   * Writes a general register only when the 1-bit `condition` is 1. When it is 0 the register keeps
   * its whole value: a 32-bit register in 64-bit mode is then *not* zero-extended (nothing was written).
   */
  writeRegisterWhen(condition: Expression, name: RegisterName, value: Expression): void {
    const ir = this.ir;
    const location = this.registerLocation(name);
    if (location.kind === 'gpr' && location.width === 32 && this.mode === 64) {
      const container = this.containerOf(name);
      const extended = ir.zeroExtend(value, 64);
      this.writeRegister(container, ir.select(condition, extended, this.readRegister(container)));
      return;
    }
    this.writeRegister(name, ir.select(condition, value, this.readRegister(name)));
  }

  /** The general register of the given number (0 = rAX family) and width, as without REX. */
  register(number: number, width: 8 | 16 | 32 | 64): RegisterName {
    return generalRegister(number, width, false);
  }

  /** The stack pointer register of this mode (RSP or ESP). */
  get stackPointer(): RegisterName {
    return this.mode === 64 ? 'rsp' : 'esp';
  }

  assign(location: Location, value: Expression): void {
    this.statements.push({ kind: 'assign', location, value });
  }

  /** `base + index * scale + displacement` in the address size, zero-extended to the mode's width. */
  effectiveAddress(operand: MemoryOperand): Expression {
    const ir = this.ir;
    const size = operand.addressSize;
    let address: Expression;
    if (operand.ripRelative) {
      address = ir.constant(this.nextAddress + BigInt(operand.displacement), size);
    } else {
      address = ir.constant(BigInt(operand.displacement), size);
      if (operand.base) address = ir.add(this.readRegister(operand.base), address);
      if (operand.index) {
        const index = this.readRegister(operand.index);
        const scaled =
          operand.scale === 1 ? index : ir.shiftLeft(index, ir.constant(Math.log2(operand.scale), 8));
        address = ir.add(address, scaled);
      }
    }
    return ir.zeroExtend(address, this.addressWidth);
  }

  /** FS/GS-relative accesses in 64-bit mode add the segment base; other segments are flat. */
  segmentOf(operand: MemoryOperand): 'fs' | 'gs' | null {
    return operand.segment === 'fs' || operand.segment === 'gs' ? operand.segment : null;
  }

  /** Loads `width` bits from a memory operand. */
  loadMemory(operand: MemoryOperand, width: number): Expression {
    return this.ir.load(this.effectiveAddress(operand), width, this.segmentOf(operand));
  }

  /** Stores a value to a memory operand. */
  storeMemory(operand: MemoryOperand, value: Expression): void {
    this.store(this.effectiveAddress(operand), value, this.segmentOf(operand));
  }

  /** Stores `value` at `address`; with a `condition`, only when it is 1. */
  store(
    address: Expression,
    value: Expression,
    segment: 'fs' | 'gs' | null = null,
    condition: Expression | null = null,
  ): void {
    this.statements.push({ kind: 'store', address, value, segment, condition });
  }

  /**
   * The value of operand `index` at `width` bits (default: the form's operand size). Immediates are
   * sign- or zero-extended as the form says; relative operands give the absolute target.
   */
  read(index: number, width = this.operandWidth(index)): Expression {
    const operand = this.operand(index);
    switch (operand.kind) {
      case 'register': {
        // A narrower read of a register operand (a shift count in CL's place) takes its low bits.
        const value = this.readRegister(operand.register);
        return width < value.width ? this.ir.extract(value, 0, width) : value;
      }
      case 'memory':
        return this.loadMemory(operand, width);
      case 'immediate':
        return this.ir.constant(BigInt(operand.value), width);
      case 'relative':
        return this.ir.constant(this.nextAddress + BigInt(operand.displacement), width);
      case 'constant':
        return this.ir.constant(operand.value, width);
    }
  }

  /** Writes operand `index` (a register or memory). */
  write(index: number, value: Expression): void {
    const operand = this.operand(index);
    if (operand.kind === 'register') return this.writeRegister(operand.register, value);
    if (operand.kind === 'memory') return this.storeMemory(operand, value);
    throw new SemanticsError(`${this.instruction.form.name}: operand ${index} is not writable`);
  }

  flag(flag: FlagBit): Expression {
    return this.ir.read({ kind: 'flag', flag });
  }

  setFlag(flag: FlagBit, value: Expression): void {
    this.assign({ kind: 'flag', flag }, value);
  }

  /** Marks flags architecturally undefined (the SDM's "undefined" in Flags Affected). */
  undefinedFlags(...flags: FlagBit[]): void {
    for (const flag of flags) this.setFlag(flag, this.ir.unknown(1));
  }

  /** SF, ZF and PF of a result (PF looks at the low byte only, SDM Vol. 1 §3.4.3.1). */
  setResultFlags(result: Expression, when: Expression | null = null): void {
    const ir = this.ir;
    this.setFlagWhen(when, 'SF', ir.extract(result, result.width - 1, 1));
    this.setFlagWhen(when, 'ZF', ir.isZero(result));
    this.setFlagWhen(when, 'PF', ir.evenParity(ir.extract(result, 0, 8)));
  }

  /** Sets `flag` to `value`; with a `when` condition, only when it is 1 (else the flag keeps its value). */
  setFlagWhen(when: Expression | null, flag: FlagBit, value: Expression): void {
    this.setFlag(flag, when ? this.ir.select(when, value, this.flag(flag)) : value);
  }

  /**
   * The six status flags of `a - b - borrow` as SUB/SBB/CMP define them (SDM Vol. 2 "SUB" Flags
   * Affected): CF is the borrow, OF the signed overflow, AF the borrow out of bit 3, SF ZF PF from the
   * difference. With a `when` condition the flags change only when it is 1 (a REP CMPS with rCX = 0).
   * Returns the difference.
   */
  setSubtractionFlags(
    a: Expression,
    b: Expression,
    borrow: Expression | null = null,
    when: Expression | null = null,
  ): Expression {
    const ir = this.ir;
    const difference = ir.subtract(a, b, borrow);
    this.setFlagWhen(when, 'CF', ir.subtractBorrow(a, b, borrow));
    this.setFlagWhen(when, 'OF', ir.subtractOverflow(a, b, borrow));
    this.setFlagWhen(when, 'AF', ir.subtractAuxiliaryBorrow(a, b, borrow));
    this.setResultFlags(difference, when);
    return difference;
  }

  /** The 1-bit truth of condition code `cc` (SDM Vol. 1 Appendix B). */
  condition(cc: number): Expression {
    const ir = this.ir;
    const signDiffersFromOverflow = () => ir.xor(this.flag('SF'), this.flag('OF'));
    const base: Record<string, () => Expression> = {
      o: () => this.flag('OF'),
      b: () => this.flag('CF'),
      e: () => this.flag('ZF'),
      be: () => ir.or(this.flag('CF'), this.flag('ZF')),
      s: () => this.flag('SF'),
      p: () => this.flag('PF'),
      l: signDiffersFromOverflow,
      le: () => ir.or(this.flag('ZF'), signDiffersFromOverflow()),
    };
    const positive = conditionCodes[cc & ~1].suffix;
    const value = base[positive]();
    return cc & 1 ? ir.not(value) : value;
  }

  /** Raises `vector` when `condition` (1 bit) is 1. */
  raise(vector: ExceptionVector, condition: Expression = this.ir.constant(1, 1)): void {
    this.statements.push({ kind: 'raise', vector, condition });
  }

  /** Sets the instruction pointer (a taken branch). Without a jump, it advances to the next instruction. */
  jump(target: Expression): void {
    this.assign({ kind: 'ip', width: this.addressWidth }, this.ir.zeroExtend(target, this.addressWidth));
  }

  /** Pushes a value (its width) on the stack. */
  push(value: Expression): void {
    const ir = this.ir;
    const sp = this.readRegister(this.stackPointer);
    const newSp = ir.subtract(sp, ir.constant(value.width / 8, sp.width));
    this.store(newSp, value);
    this.writeRegister(this.stackPointer, newSp);
  }

  /** Pops `width` bits; returns the value (the stack-pointer update is emitted). */
  pop(width: number): Expression {
    const ir = this.ir;
    const sp = this.readRegister(this.stackPointer);
    const value = ir.load(sp, width);
    this.writeRegister(this.stackPointer, ir.add(sp, ir.constant(width / 8, sp.width)));
    return value;
  }
}
