/**
 * Operands, in two shapes:
 *
 * - {@link OperandSpec}: what an instruction *form* says about an operand (where it is encoded, how
 *   wide it is): the "Op/En" and operand columns of the Intel SDM Vol. 2 instruction pages, after
 *   operand-size expansion (`Ev` becomes `r/m16`, `r/m32`, `r/m64` in three forms).
 * - {@link Operand}: a concrete operand of one decoded instruction (`eax`, `qword [rip+0x10]`, `0x7f`).
 *
 * The declaration shorthand that families use (`'Ev'`, `'Gv'`, `'Ib'`, SDM Vol. 2D Appendix A.2) is in
 * {@link OperandTemplate}; `notation.ts` expands it into OperandSpecs.
 */
import type { RegisterName, SegmentRegister } from './registers.js';

/** Where an operand lives in the encoding (SDM Vol. 2A §2.1, the "Op/En" tables). */
export type OperandEncoding =
  /** ModRM.rm: a register (mod = 11) or a memory operand. */
  | 'modrmRm'
  /** ModRM.rm with mod = 11 only (a register; SDM "R"). */
  | 'modrmRmRegister'
  /** ModRM.rm with mod != 11 only (memory; SDM "M"). */
  | 'modrmRmMemory'
  /** ModRM.reg: a register (SDM "G"), or a segment register for `mov Sreg` (SDM "S"). */
  | 'modrmReg'
  /** Low three bits of the opcode byte, extended by REX.B (SDM "+rb/+rw/+rd/+ro"). */
  | 'opcodeRegister'
  /** VEX.vvvv (inverted), SDM "B" in Appendix A / "VEX.vvvv" in Op/En. */
  | 'vexRegister'
  /** An immediate (SDM "ib/iw/id/io"). */
  | 'immediate'
  /** A branch displacement relative to the next instruction (SDM "cb/cw/cd", "rel8/rel16/rel32"). */
  | 'relative'
  /** An absolute memory offset of address-size width with no ModRM (SDM "moffs", A0..A3). */
  | 'memoryOffset'
  /** A fixed register that is implied by the opcode but printed (AL, rAX, CL, DX, a segment register). */
  | 'implicitRegister'
  /** The constant 1 of the shift-by-one forms (D0/D1). */
  | 'constantOne'
  /** The string source DS:[rSI] (segment overridable), SDM "X". */
  | 'stringSource'
  /** The string destination ES:[rDI] (never overridable), SDM "Y". */
  | 'stringDestination';

/** Width in bits of an operand's value; 0 means the operand has no data size (the `M` of `lea`). */
export type OperandWidth = 0 | 8 | 16 | 32 | 64 | 128;

/** One operand of an instruction form, after operand-size expansion. */
export interface OperandSpec {
  readonly encoding: OperandEncoding;
  /** Width in bits of the value read or written; for immediates, the width after extension. */
  readonly size: OperandWidth;
  /** For `implicitRegister`: the register (its width matches {@link size}). */
  readonly register?: RegisterName;
  /** For `modrmReg`: segment registers instead of general registers (`mov Sreg`). */
  readonly segmentRegister?: boolean;
  /** For `immediate`/`relative`: bits present in the encoding (8, 16, 32 or 64). */
  readonly encodedSize?: 8 | 16 | 32 | 64;
  /** For `immediate`: the encoded bits are sign-extended to {@link size} (SDM "imm8" of `83 /0`). */
  readonly signExtended?: boolean;
  /**
   * Short name used in stable form names, iced style: `rm32`, `r32`, `m`, `imm8`, `rel32`, `moffs32`,
   * `EAX`, `CL`, `1`, `r32v` (VEX.vvvv).
   */
  readonly name: string;
}

/**
 * The operand shorthand families are declared with: SDM Vol. 2D Appendix A.2 addressing methods and
 * operand types, plus fixed registers. Size letters: b = 8, w = 16, d = 32, q = 64, v = 16/32/64 by
 * operand size, y = 32/64 (REX.W or VEX.W), z = 16 for 16-bit operand size else 32.
 *
 * - `E*` ModRM.rm register or memory; `G*` ModRM.reg; `R*` ModRM.rm register only; `M*` memory only
 *   (`M` = no data size, as in `lea`; `Mq` / `Mdq` the 8/16-byte cmpxchg8b/16b operand);
 * - `Z*` register in the opcode's low bits (+r); `B*` VEX.vvvv register; `Sw` segment register in ModRM.reg;
 * - `I*` immediate; `Ibs` imm8 sign-extended to operand size; `Iz` imm16 / imm32 (sign-extended to 64);
 *   `Iv` imm16/32/64 (mov r64, imm64);
 * - `J*` relative branch target; `O*` moffs;
 * - `X*` / `Y*` string source / destination;
 * - fixed: `AL`, `rAX` (AX/EAX/RAX by operand size), `CL`, `DX`, `1`, and segment registers.
 */
export type OperandTemplate =
  | 'Eb'
  | 'Ew'
  | 'Ed'
  | 'Eq'
  | 'Ev'
  | 'Ey'
  | 'Gb'
  | 'Gw'
  | 'Gd'
  | 'Gq'
  | 'Gv'
  | 'Gy'
  | 'Gz'
  | 'Rv'
  | 'Ry'
  | 'M'
  | 'Mw'
  | 'Mv'
  | 'Mq'
  | 'Mdq'
  | 'Ma'
  | 'Zb'
  | 'Zv'
  | 'Zy'
  | 'By'
  | 'Sw'
  | 'Ib'
  | 'Ibs'
  | 'Iw'
  | 'Iz'
  | 'Iv'
  | 'Jb'
  | 'Jz'
  | 'Ob'
  | 'Ov'
  | 'Xb'
  | 'Xv'
  | 'Yb'
  | 'Yv'
  | 'AL'
  | 'rAX'
  | 'CL'
  | 'DX'
  | '1'
  | 'ES'
  | 'CS'
  | 'SS'
  | 'DS'
  | 'FS'
  | 'GS';

/** A register operand of a decoded instruction. */
export interface RegisterOperand {
  readonly kind: 'register';
  readonly register: RegisterName;
}

/**
 * A memory operand of a decoded instruction (SDM Vol. 1 §3.7.5, Vol. 2A §2.1.5 / §2.2.1).
 * The effective address is `base + index * scale + displacement`, computed in {@link addressSize} bits.
 */
export interface MemoryOperand {
  readonly kind: 'memory';
  /** Base register, `rip`/`eip` for RIP-relative addressing, or null. */
  readonly base: RegisterName | null;
  /** Index register, or null. */
  readonly index: RegisterName | null;
  readonly scale: 1 | 2 | 4 | 8;
  /**
   * The displacement as encoded, read as a signed two's-complement number of {@link displacementSize}
   * bits. It is a bigint only for a 64-bit `moffs` (the `A0..A3` forms with 64-bit addressing).
   */
  readonly displacement: number | bigint;
  /** Bits of displacement in the encoding: 0, 8, 16, 32 or 64. */
  readonly displacementSize: 0 | 8 | 16 | 32 | 64;
  /** The segment used: the override prefix if any, else the default (SS for rBP/rSP bases, else DS). */
  readonly segment: SegmentRegister;
  /** True when a segment-override prefix selected {@link segment}. */
  readonly segmentOverride: boolean;
  /** Width in bits of the data accessed (0 for `lea`, 128 for `cmpxchg16b`). */
  readonly size: OperandWidth;
  /** Address size the effective address is computed in. */
  readonly addressSize: 16 | 32 | 64;
  /** True for RIP-relative addressing (mod = 00, rm = 101 in 64-bit mode; SDM Vol. 2A §2.2.1.6). */
  readonly ripRelative: boolean;
  /**
   * Set by the decoder: the encoding had a SIB byte. Without an index, {@link scale} still holds the
   * SIB scale, so printers can show objdump's `riz*scale` and encoders can reproduce the bytes.
   * Optional so that code building operands by hand need not say.
   */
  readonly hasSib?: boolean;
}

/** An immediate operand of a decoded instruction. */
export interface ImmediateOperand {
  readonly kind: 'immediate';
  /**
   * The encoded value: a signed number when {@link signExtended} (e.g. -1 for `83 /0 .. FF`), otherwise
   * an unsigned number. A bigint only for 64-bit immediates (`mov r64, imm64`), unsigned.
   */
  readonly value: number | bigint;
  /** Width in bits the instruction uses the immediate at (after sign extension). */
  readonly size: 8 | 16 | 32 | 64;
  /** Bits present in the encoding. */
  readonly encodedSize: 8 | 16 | 32 | 64;
  readonly signExtended: boolean;
}

/** A branch target relative to the end of the instruction (jcc, jmp, call, loop, jrcxz). */
export interface RelativeOperand {
  readonly kind: 'relative';
  /** Signed displacement from the address of the next instruction. */
  readonly displacement: number;
  /** Bits present in the encoding (8, 16 or 32). */
  readonly encodedSize: 8 | 16 | 32;
}

/** The constant 1 of the shift-by-one forms (`shl eax, 1` encoded as D1 /4). */
export interface ConstantOperand {
  readonly kind: 'constant';
  readonly value: 1;
}

/** Any concrete operand of a decoded instruction. */
export type Operand = RegisterOperand | MemoryOperand | ImmediateOperand | RelativeOperand | ConstantOperand;

/** The immediate's bits as an unsigned bigint of its {@link ImmediateOperand.size} width. */
export function immediateBits(operand: ImmediateOperand): bigint {
  return BigInt.asUintN(operand.size, BigInt(operand.value));
}

/**
 * The absolute target of a relative operand, given the address of the *next* instruction and the
 * operand size the branch uses (the target wraps to 16 or 32 bits for those sizes, SDM Vol. 2A "JMP").
 */
export function relativeTarget(
  operand: RelativeOperand,
  nextAddress: bigint,
  operandSize: 16 | 32 | 64,
): bigint {
  return BigInt.asUintN(operandSize, nextAddress + BigInt(operand.displacement));
}
