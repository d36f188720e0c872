/**
 * The assembler's intermediate form: what the dialect parsers produce and the layout passes consume.
 * Both dialects parse into these same statements, so layout, symbol resolution and encoding are written
 * once. Symbol names are already qualified (NASM `.loop` under `main` is `main.loop`).
 */
import type { RegisterArgument } from '../encoder/request.js';
import type { RegisterName, SegmentRegister } from '../isa/registers.js';
import type { AddressTerms, Expression } from './expression.js';
import type { Dialect } from './lexer.js';

/** Operand sizes in bits that size keywords name (`byte` … `tword`, `BYTE PTR` … `XMMWORD PTR`). */
export type OperandSize = 8 | 16 | 32 | 48 | 64 | 80 | 128 | 256;

/** Processor mode: the default operand and address size of the code (NASM `bits`, GNU `.code64`). */
export type Bits = 16 | 32 | 64;

/** A register operand, e.g. `eax`. */
export interface RegisterOperand {
  readonly kind: 'register';
  readonly name: RegisterName;
  readonly column: number;
  /** The same register as the encoder takes it (made once at parse time). */
  readonly argument: RegisterArgument;
}

/** A memory operand, e.g. `dword [rax+rcx*4+8]` or `DWORD PTR fs:40`. */
export interface MemoryOperand {
  readonly kind: 'memory';
  /** Size written with the operand (`dword`, `DWORD PTR`); undefined when it must come from another operand. */
  readonly size: OperandSize | undefined;
  /** Explicit segment override (`fs:`). */
  readonly segment: SegmentRegister | undefined;
  readonly address: AddressTerms;
  /**
   * RIP-relative request: `[rel x]`, GNU `x[rip]`, or `default rel`; `'abs'` for `[abs x]`;
   * undefined leaves it to the default.
   */
  readonly relative: 'rel' | 'abs' | undefined;
  /** NASM `nosplit`: keep `[rax*2]` as an index with no base instead of `[rax+rax]`. */
  readonly noSplit: boolean;
  /** Displacement size forced in the brackets (NASM `[byte rax+1]`, `[dword rax]`, `[qword 0x…]`). */
  readonly displacementSize: 8 | 16 | 32 | 64 | undefined;
  readonly column: number;
}

/** An immediate, or the target of a branch, e.g. `5`, `byte -1`, `OFFSET FLAT:msg`, `short .loop`. */
export interface ImmediateOperand {
  readonly kind: 'immediate';
  readonly expression: Expression;
  /** Size keyword written before it (`push dword 5`, `add eax, strict byte 1`). */
  readonly size: OperandSize | undefined;
  /** NASM `strict`: the size keyword is binding, not a hint the optimiser may shrink. */
  readonly strict: boolean;
  /** Branch distance keyword: `short` (rel8) or `near` (rel16/32). */
  readonly distance: 'short' | 'near' | undefined;
  readonly column: number;
}

/** Any operand as written. */
export type Operand = RegisterOperand | MemoryOperand | ImmediateOperand;

/** Where a statement came from, for diagnostics and the listing. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** One instruction with its prefixes, e.g. `lock add [rax], ecx`. */
export interface InstructionStatement extends SourcePosition {
  readonly kind: 'instruction';
  /** Lower-case mnemonic as written (`movsx`, `je`, `movabs`). */
  readonly mnemonic: string;
  /** Prefix keywords in order (`lock`, `rep`, `repne`, `o16`, `a32`, segment names…). */
  readonly prefixes: readonly string[];
  readonly operands: readonly Operand[];
  readonly bits: Bits;
  /** NASM `default rel` in force. */
  readonly defaultRelative: boolean;
}

/** One item of a data directive: an expression or a string's bytes. */
export type DataItem =
  | { readonly kind: 'expression'; readonly expression: Expression; readonly column: number }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array };

/** Every statement kind the layout passes understand. */
export type Statement =
  | (SourcePosition & { readonly kind: 'label'; readonly name: string })
  | InstructionStatement
  /** `db`/`dw`/`dd`/`dq`, `.byte`/`.long`/`.quad`/`.string`…: `unit` is the size of one element in bytes. */
  | (SourcePosition & {
      readonly kind: 'data';
      readonly unit: 1 | 2 | 4 | 8 | 10;
      readonly items: readonly DataItem[];
    })
  /** `resb`/`resq`, `.zero`/`.skip`: `count` units of `fill` (0 when absent). */
  | (SourcePosition & {
      readonly kind: 'reserve';
      readonly unit: 1 | 2 | 4 | 8 | 10;
      readonly count: Expression;
      readonly fill: Expression | undefined;
    })
  /**
   * `align`/`.p2align`/`.balign`: pad to a multiple of `alignment` bytes. `fill` is `'nop'` (the
   * dialect's NOP padding in code), a byte value, or `'zero'`. `maxSkip` is GNU's third argument.
   */
  | (SourcePosition & {
      readonly kind: 'align';
      readonly alignment: Expression;
      readonly fill: 'nop' | 'zero' | Expression;
      readonly maxSkip: Expression | undefined;
      /** Mode in force, which decides the NOP padding of GNU as. */
      readonly bits: Bits;
    })
  /** NASM `times N stmt`. */
  | (SourcePosition & { readonly kind: 'times'; readonly count: Expression; readonly body: Statement })
  /** `section .data`, `.text`, `.section .rodata,"a"`. */
  | (SourcePosition & { readonly kind: 'section'; readonly name: string })
  /** `x equ 5`, `.set x, 5`, `x = 5`. NASM `equ` may be defined once; GNU `.set` may be redefined. */
  | (SourcePosition & { readonly kind: 'constant'; readonly name: string; readonly expression: Expression })
  /** NASM `org`: the address of the first section. */
  | (SourcePosition & { readonly kind: 'origin'; readonly address: Expression });

/** The result of parsing a whole source file. */
export interface ParsedSource {
  readonly dialect: Dialect;
  readonly statements: readonly Statement[];
  /** Symbols declared global (`global`, `.globl`). */
  readonly globals: ReadonlySet<string>;
}
