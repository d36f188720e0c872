/**
 * What the encoder is asked to encode: a mnemonic with resolved operands (numbers, not expressions),
 * the mode, the instruction's address (for branches and RIP-relative operands) and whose encoding
 * choices to follow where the SDM allows several encodings.
 */
import type { RegisterName, SegmentRegister } from '../isa/registers.js';
import type { Mode } from '../isa/spec.js';

/**
 * Whose choices to follow when several encodings are valid (NASM manual §2.1.24 `-O`; GNU as
 * `tc-i386.c`). Both pick the shortest encoding; they differ in a few places, listed in
 * docs/assembler.md ("How encoding choices follow each assembler").
 */
export type EncodingStyle = 'nasm' | 'gnu';

/** A register operand. */
export interface RegisterArgument {
  readonly kind: 'register';
  readonly name: RegisterName;
}

/** A memory operand whose base, index and scale are already chosen. */
export interface MemoryArgument {
  readonly kind: 'memory';
  /** Data size in bits when written (`dword [..]`), else undefined (taken from the other operand). */
  readonly size: number | undefined;
  readonly segment: SegmentRegister | undefined;
  readonly base: RegisterName | undefined;
  readonly index: RegisterName | undefined;
  readonly scale: 1 | 2 | 4 | 8;
  /** Displacement value; for RIP-relative operands, the absolute target address. */
  readonly displacement: bigint;
  /** The displacement must use the full width (a relocatable or not-yet-known value). */
  readonly wideDisplacement: boolean;
  /** Displacement size forced by the source (NASM `[byte rax+1]`, `[dword rax]`). */
  readonly displacementSize: 8 | 16 | 32 | 64 | undefined;
  /**
   * RIP-relative (64-bit mode only): {@link displacement} is the target address, unless
   * {@link literalDisplacement} says it is the disp32 itself (GNU as `[rip+0x10]` with a number).
   */
  readonly ripRelative: boolean;
  /** The displacement of a RIP-relative operand is to be encoded as written, not as a target. */
  readonly literalDisplacement: boolean;
  /** No base and no index: an absolute address (which `mov` may encode as a moffs). */
  readonly absolute: boolean;
}

/** An immediate, or a branch target address. */
export interface ImmediateArgument {
  readonly kind: 'immediate';
  readonly value: bigint;
  /** Size keyword written with it (`push dword 5`, `byte 1`). */
  readonly size: number | undefined;
  /** NASM `strict`: the written size must be used. */
  readonly strict: boolean;
  /** The value must use the full width (relocatable, or not yet known). */
  readonly wide: boolean;
  /** The value is not yet known (an early pass): any size is accepted for now. */
  readonly provisional: boolean;
  /** Branch distance keyword. */
  readonly distance: 'short' | 'near' | undefined;
}

/** A resolved operand. */
export type EncoderArgument = RegisterArgument | MemoryArgument | ImmediateArgument;

/** One instruction to encode. */
export interface EncodeRequest {
  /** Lower-case mnemonic (aliases such as `jz`, `sal`, `movsxd` are accepted). */
  readonly mnemonic: string;
  /** Prefix words written before the mnemonic (`lock`, `rep`, `o16`, …). */
  readonly prefixes: readonly string[];
  readonly operands: readonly EncoderArgument[];
  readonly mode: Mode;
  /** Address of the first byte of the instruction. */
  readonly address: bigint;
  readonly style: EncodingStyle;
  /** A relative branch must use its long form (set by the assembler's relaxation when a short one failed). */
  readonly longBranch: boolean;
}
