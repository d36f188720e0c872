/**
 * The types of the single-source ISA specification.
 *
 * Each instruction *family* (`add`, `shl`, `jcc`, …) is declared once as an
 * {@link InstructionFamilyDeclaration}: its encoding forms in Intel SDM notation, operands, flags,
 * exceptions, modes, CPUID feature and (later) semantics. `catalog.ts` expands every declaration into
 * concrete {@link InstructionForm}s (one per opcode × operand size × condition code), and the decoder,
 * encoder, assembler and printers all derive their tables from those forms. See `src/isa/README.md`.
 */
import type { OperandSpec, OperandTemplate } from './operands.js';

/** Processor mode by default operand/address size: real/16-bit protected, 32-bit protected, 64-bit. */
export type Mode = 16 | 32 | 64;

/** Every mode, in the order modes are listed. */
export const allModes: readonly Mode[] = [16, 32, 64];

/** Opcode maps (SDM Vol. 2A §2.1.2, Vol. 2D Appendix A.3): one-byte, 0F, 0F 38, 0F 3A. */
export type OpcodeMap = 'legacy' | '0F' | '0F38' | '0F3A';

/** How the opcode is introduced: legacy/REX prefixes, or a VEX prefix (C4/C5, SDM Vol. 2A §2.3). */
export type EncodingSpace = 'legacy' | 'vex';

/**
 * A prefix a form requires or forbids (SDM "NP", "66", "F2", "F3" in the opcode column):
 * `none` means the form does not care (66 then acts as operand-size prefix, F2/F3 are ignored or rep),
 * `NP` means none of 66/F2/F3 may be present, `NFx` that neither F2 nor F3 may be (66 stays an
 * operand-size prefix; MOVBE).
 */
export type MandatoryPrefix = 'none' | 'NP' | 'NFx' | '66' | 'F2' | 'F3';

/**
 * How a form's operand size is chosen (SDM Vol. 1 §3.6 and §3.6.1 Table 3-4, Vol. 2A §2.2.1.7).
 * - `normal`: 16/32 by mode and 66, 64 with REX.W;
 * - `default64`: in 64-bit mode 64 unless 66 gives 16 (push, pop, leave, …: SDM Vol. 2A Table 2-6);
 * - `force64`: in 64-bit mode always 64, 66 ignored (near branches: Intel behaviour, see docs/deviations.md);
 * - `wOnly`: 32, or 64 with REX.W / VEX.W in 64-bit mode; 66 does not apply (mandatory-66 and VEX forms).
 */
export type OperandSizeRule = 'normal' | 'default64' | 'force64' | 'wOnly';

/** CPUID feature flags that gate forms in scope (SDM Vol. 2A "CPUID Feature Flag" column). */
export type CpuidFeature =
  | 'BMI1'
  | 'BMI2'
  | 'ADX'
  | 'MOVBE'
  | 'SSE4.2'
  | 'POPCNT'
  | 'LZCNT'
  | 'CMOV'
  | 'CX8'
  | 'CMPXCHG16B'
  | 'TSC'
  | 'SYSCALL'
  | 'SEP'
  | 'CET_IBT'
  | 'I486'
  | 'I186'
  | 'I386'
  | 'PENTIUM'
  | 'CPUID';

/** RFLAGS bits instructions read or change, as iced's letters (o s z a p c d i t; `ac` alignment check). */
export type FlagName = 'o' | 's' | 'z' | 'a' | 'p' | 'c' | 'd' | 'i' | 't' | 'ac';

/** What an instruction does to RFLAGS (SDM Vol. 1 Appendix A, per-instruction "Flags Affected"). */
export interface FlagEffects {
  /** Flags whose value the instruction uses. */
  readonly read: readonly FlagName[];
  /** Flags set to a computed value. */
  readonly written: readonly FlagName[];
  /** Flags always set to 1. */
  readonly set: readonly FlagName[];
  /** Flags always cleared to 0. */
  readonly cleared: readonly FlagName[];
  /** Flags left architecturally undefined (the reason vial exists: see DESIGN.md). */
  readonly undefined: readonly FlagName[];
}

/** An exception an instruction can raise beyond the generic memory-access ones (#GP/#SS/#PF/#AC). */
export interface ExceptionNote {
  /** The vector mnemonic, SDM Vol. 3A §6.3.1 Table 6-1. */
  readonly vector: '#DE' | '#UD' | '#GP' | '#BR' | '#OF' | '#BP' | '#SS';
  /** When it is raised, in the SDM's words. */
  readonly when: string;
}

/** One encoding form as written in a family declaration. */
export interface FormDeclaration {
  /**
   * Opcode in SDM notation, without immediates (they come from {@link operands}). Tokens, in order:
   * - prefix requirements: `NP`, `66`, `F2`, `F3` (mandatory), `REX.W` (= `o64`), `o16`/`o32`/`o64`
   *   (operand size), `a16`/`a32`/`a64` (address size);
   * - or a VEX header `VEX.LZ.F2.0F38.W0` (L: `LZ`/`L0`/`LIG`; pp optional; map; W: `W0`/`W1`/`WIG`);
   * - map escape `0F`, `0F 38`, `0F 3A`; the opcode byte, optionally `+r` (register in low bits) or
   *   `+cc` (condition code, see `conditions.ts`);
   * - `/r` (ModRM with register operand) or `/0`..`/7` (ModRM.reg is an opcode extension);
   * - optionally a second hex byte: the whole ModRM byte is fixed (`F3 0F 1E FA` = endbr64).
   */
  readonly opcode: string;
  /** Operands in Intel order (destination first). */
  readonly operands: readonly OperandTemplate[];
  /** Overrides the family mnemonic (`{cc}` is replaced by the condition suffix). */
  readonly mnemonic?: string;
  /** Overrides the derived stable name. */
  readonly name?: string;
  /** Appended to the derived stable name, to tell apart aliases (`TEST_rm8_imm8_F6r1`). */
  readonly nameSuffix?: string;
  /** REX.B must be clear: `90` is NOP, but `41 90` is `xchg r8d, eax` (SDM "NOP", "XCHG"). */
  readonly requiresNoRexB?: boolean;
  /** Modes where the form is valid (default: the family's). */
  readonly modes?: readonly Mode[];
  /** CPUID feature (default: the family's). */
  readonly feature?: CpuidFeature;
  /** Flag effects in iced letters (default: the family's). */
  readonly flags?: string;
  /** Operand-size rule (default `normal`). */
  readonly operandSizeRule?: OperandSizeRule;
  /** LOCK is allowed (with a memory destination) — default: the family's. */
  readonly lockable?: boolean;
  /** Which repeat prefixes the form honours (string instructions). */
  readonly repeat?: 'rep' | 'repe';
}

/**
 * One instruction family, declared once. `semantics` is filled in by the VM issue.
 */
export interface InstructionFamilyDeclaration {
  /** Family identifier, lower case (`add`, `jcc`). */
  readonly family: string;
  /** One line saying what the family does (SDM page title). */
  readonly summary: string;
  /** Default mnemonic of its forms. */
  readonly mnemonic: string;
  /** Flag effects in iced letters: `r=` read, `w=` written, `1=` set, `0=` cleared, `u=` undefined. */
  readonly flags?: string;
  /** Exceptions specific to the family. */
  readonly exceptions?: readonly ExceptionNote[];
  /** Modes where the family is valid (default all). */
  readonly modes?: readonly Mode[];
  /** CPUID feature the family needs, if any. */
  readonly feature?: CpuidFeature;
  /** LOCK allowed with a memory destination (SDM Vol. 2A "LOCK" lists the lockable instructions). */
  readonly lockable?: boolean;
  /**
   * The family's semantics as IR-building code. Typed loosely on purpose: the VM issue defines the IR
   * and will narrow this type; the decoder and printers never look at it.
   */
  readonly semantics?: unknown;
  readonly forms: readonly FormDeclaration[];
}

/** A ModRM requirement: none, any (`/r`), or reg field fixed (`/digit`). */
export type ModrmUse = 'none' | 'register' | 'opcodeExtension';

/** A concrete encoding form, expanded from a declaration: the unit decoder and encoder tables hold. */
export interface InstructionForm {
  /** Stable name used in traces and golden files, e.g. `ADD_rm32_r32`, `JMP_rel32_64`. */
  readonly name: string;
  readonly mnemonic: string;
  readonly family: InstructionFamilyDeclaration;
  /** The declaration's opcode text (before expansion), for documentation and error messages. */
  readonly opcodeText: string;
  readonly space: EncodingSpace;
  readonly map: OpcodeMap;
  /** The opcode byte (for `+r` forms, with the low three bits zero; for `+cc`, including the cc). */
  readonly opcode: number;
  /** The low three bits of the opcode name a register (`+r`). */
  readonly opcodeRegister: boolean;
  readonly modrm: ModrmUse;
  /** ModRM.reg value for `/digit` forms, else null. */
  readonly modrmReg: number | null;
  /** The whole ModRM byte when fixed (`F3 0F 1E FA`), else null. */
  readonly modrmFixed: number | null;
  /** ModRM.mod must be 11 (`register`), must not be (`memory`), or either (`any`). */
  readonly modrmMod: 'any' | 'register' | 'memory';
  readonly mandatoryPrefix: MandatoryPrefix;
  /** Operand size the form is selected for (null: the form does not depend on it). */
  readonly operandSize: 16 | 32 | 64 | null;
  readonly operandSizeRule: OperandSizeRule;
  /** Address size the form is selected for (null: any); only jcxz/jecxz/jrcxz and loop use it. */
  readonly addressSize: 16 | 32 | 64 | null;
  /** For VEX forms: required VEX.L (null = ignored) and VEX.W (null = ignored, or selects the size). */
  readonly vex: { readonly l: 0 | 1 | null; readonly w: 0 | 1 | null } | null;
  readonly operands: readonly OperandSpec[];
  readonly modes: readonly Mode[];
  readonly feature: CpuidFeature | null;
  readonly flags: FlagEffects;
  readonly lockable: boolean;
  readonly repeat: 'rep' | 'repe' | null;
  /** REX.B must be clear (see {@link FormDeclaration.requiresNoRexB}). */
  readonly requiresNoRexB: boolean;
  /** Condition-code number 0..15 for `+cc` forms (jcc, setcc, cmovcc), else null. */
  readonly conditionCode: number | null;
}
