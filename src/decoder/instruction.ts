/**
 * The result of decoding: an {@link Instruction} (a form of the spec with concrete operands) or a
 * {@link DecodeFailure}. The encoder's round-trip test compares Instructions field by field.
 */
import type { Operand } from '../isa/operands.js';
import type { SegmentRegister } from '../isa/registers.js';
import type { InstructionForm, Mode } from '../isa/spec.js';

/** The fields of a VEX prefix (SDM Vol. 2A §2.3.5, Figure 2-9), with R/X/B/vvvv already un-inverted. */
export interface VexPrefix {
  /** 2 for C5, 3 for C4. */
  readonly bytes: 2 | 3;
  readonly r: boolean;
  readonly x: boolean;
  readonly b: boolean;
  readonly w: boolean;
  /** The register number VEX.vvvv names (0..15). */
  readonly vvvv: number;
  readonly l: 0 | 1;
  /** Implied mandatory prefix (VEX.pp). */
  readonly pp: 'none' | '66' | 'F3' | 'F2';
}

/** One decoded instruction. */
export interface Instruction {
  readonly status: 'ok';
  /** The spec form it matched; `form.name` is the stable name (`ADD_rm32_r32`). */
  readonly form: InstructionForm;
  /** Same as `form.mnemonic`, for convenience. */
  readonly mnemonic: string;
  /** Operands in Intel order, as the form lists them. */
  readonly operands: readonly Operand[];
  /** Length in bytes (1..15). */
  readonly length: number;
  readonly mode: Mode;
  /** Effective operand size (SDM Vol. 1 §3.6.1); for byte forms, what 66/REX.W would select. */
  readonly operandSize: 16 | 32 | 64;
  /** Effective address size (SDM Vol. 1 §3.6.1). */
  readonly addressSize: 16 | 32 | 64;
  /** A LOCK prefix (F0) is present. */
  readonly lock: boolean;
  /**
   * The last of F3/F2 if any, named by its repeat meaning (F3 = `rep`/`repe`, F2 = `repne`); null
   * when that byte was the form's mandatory prefix (`F3 0F B8` popcnt, `F3 90` pause).
   */
  readonly repeatPrefix: 'rep' | 'repne' | null;
  /** The last segment-override prefix, if any (even where 64-bit mode ignores it). */
  readonly segmentPrefix: SegmentRegister | null;
  /** A 66 prefix is present (whether it changed the operand size or was mandatory). */
  readonly operandSizePrefix: boolean;
  /** A 67 prefix is present. */
  readonly addressSizePrefix: boolean;
  /** The effective REX byte (0x40..0x4F), or 0 when there is none (SDM Vol. 2A §2.2.1). */
  readonly rex: number;
  /** The VEX prefix, for VEX-encoded forms. */
  readonly vex: VexPrefix | null;
}

/** Why bytes did not decode to an in-scope instruction. */
export type DecodeFailureStatus =
  /** The bytes are not a valid instruction in this mode (#UD on a real CPU, or too long). */
  | 'invalid'
  /** A valid x86 instruction that vial does not support yet (x87, SSE, system, far branches, …). */
  | 'unsupported'
  /** The bytes end before the instruction does. */
  | 'truncated';

/** A failed decode. */
export interface DecodeFailure {
  readonly status: DecodeFailureStatus;
  /**
   * For `unsupported` with {@link lengthKnown}, the instruction's length; otherwise the number of bytes
   * examined before giving up (at least 1).
   */
  readonly length: number;
  /** True when {@link length} is the instruction's real length. */
  readonly lengthKnown: boolean;
  /** For `unsupported`: the mnemonic when the decoder can tell (`movaps`, `fld`), else null. */
  readonly mnemonic: string | null;
  /** A sentence a person can act on, e.g. "unsupported instruction (SSE: movaps)". */
  readonly message: string;
  readonly mode: Mode;
}

/** What {@link decodeInstruction} returns. */
export type DecodeResult = Instruction | DecodeFailure;
