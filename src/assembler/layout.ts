/**
 * The assembler's passes: statements are laid out (addresses assigned, instructions encoded) until
 * no label moves, then the last pass's bytes are the output.
 *
 * Relative branches start short and are made long (for good) when their target is out of range, so
 * sizes only grow and the passes converge on the smallest layout both NASM and GNU as would pick.
 * Errors are collected only from the final pass: earlier passes see guesses for forward references.
 */
import { type EncodedInstruction, EncodingError, encodeInstruction } from '../encoder/index.js';
import type { EncoderArgument } from '../encoder/request.js';
import { resolveMemoryOperand } from './address.js';
import { type AssemblyDiagnostic, SourceError } from './diagnostics.js';
import {
  type Expression,
  type ExpressionValue,
  evaluateExpression,
  isConstantExpression,
} from './expression.js';
import type { Dialect } from './lexer.js';
import { codePadding } from './padding.js';
import { alignUp, DEFAULT_SECTION, isNobitsSection, layOutSections, type SectionExtent } from './sections.js';
import type { InstructionStatement, Operand, ParsedSource, Statement } from './statements.js';

const MAX_PASSES = 40;

/** A symbol after assembly. */
export interface AssembledSymbol {
  readonly name: string;
  /** Address of a label, or value of a constant. */
  readonly value: bigint;
  /** Section of a label; null for a constant (`equ`, `.set`). */
  readonly section: string | null;
  readonly global: boolean;
  /** Line where it is defined. */
  readonly line: number;
}

/** What the passes produce. */
export interface LayoutResult {
  /** Per statement: address, section and bytes of the last pass (for the listing; built on demand). */
  placements(): readonly StatementPlacement[];
  /** The bytes of a progbits section. */
  sectionContents(name: string): Uint8Array;
  readonly sectionOrder: readonly SectionExtent[];
  readonly sectionAddresses: ReadonlyMap<string, bigint>;
  readonly symbols: AssembledSymbol[];
  readonly diagnostics: AssemblyDiagnostic[];
}

/** Where one statement ended up. */
export interface StatementPlacement {
  readonly statement: Statement;
  readonly section: string;
  readonly address: bigint;
  /** Bytes emitted (null for nobits space and statements that emit nothing). */
  readonly bytes: Uint8Array | null;
  /** Size in bytes (also for nobits space). */
  readonly size: number;
}

interface SymbolEntry {
  /** A constant's value, or a label's offset in its section. */
  value: bigint;
  relocation: number;
  section: string | null;
  pass: number;
  line: number;
  isLabel: boolean;
}

interface SectionState {
  /** Bytes laid out so far (a number: sections are far below 2^53 bytes). */
  offset: number;
  alignment: number;
}

/** Layout options. */
export interface LayoutOptions {
  readonly origin: bigint;
  readonly pinnedSections: ReadonlyMap<string, bigint>;
  /** Source lines, for quoting instructions in error messages. */
  readonly lines: readonly string[];
}

const EMPTY = new Uint8Array(0);

/** Runs the passes over a parsed source. */
export function layOut(source: ParsedSource, options: LayoutOptions): LayoutResult {
  return new Layout(source, options).run();
}

class Layout {
  private readonly dialect: Dialect;
  private readonly symbols = new Map<string, SymbolEntry>();
  private pass = 0;
  private sectionAddresses = new Map<string, bigint>();
  private sections = new Map<string, SectionState>();
  private currentSection = DEFAULT_SECTION;
  /** Offset of the current statement in its section; its address is the section's base plus this. */
  private currentOffset = 0;
  private currentBase = 0n;
  private diagnostics: AssemblyDiagnostic[] = [];
  /** Per statement, from the latest pass: section, address, bytes and size. */
  private readonly statementSections: string[] = [];
  private readonly statementOffsets: number[] = [];
  private readonly statementBytes: (Uint8Array | null)[] = [];
  private readonly statementSizes: number[] = [];
  /**
   * Encodings of instructions with constant operands, by their operand list. The parsers give every
   * repetition of a source line the same operand list (with the same mnemonic, prefixes and mode),
   * so a repeated line is encoded once; the lookup is by identity, with no key to build.
   */
  private readonly encodingCache = new Map<readonly Operand[], Uint8Array>();
  private origin: bigint;
  private readonly longBranch: Uint8Array;
  /** Bytes of instructions whose operands are constant: the same in every pass. */
  private readonly fixedBytes: (Uint8Array | undefined)[];
  private symbolsChanged = false;
  private usedUnknown = false;

  constructor(
    private readonly source: ParsedSource,
    private readonly options: LayoutOptions,
  ) {
    this.dialect = source.dialect;
    this.origin = options.origin;
    this.longBranch = new Uint8Array(source.statements.length);
    this.fixedBytes = new Array(source.statements.length);
  }

  run(): LayoutResult {
    let extents: SectionExtent[] = [];
    for (this.pass = 1; this.pass <= MAX_PASSES; this.pass++) {
      this.symbolsChanged = false;
      this.usedUnknown = false;
      extents = this.runPass();
      const addresses = layOutSections(extents, this.origin, this.options.pinnedSections);
      let moved = false;
      for (const [name, address] of addresses) if (this.sectionAddresses.get(name) !== address) moved = true;
      this.sectionAddresses = addresses;
      if (this.pass > 1 && !moved && !this.symbolsChanged && !this.usedUnknown) break;
      if (this.pass === MAX_PASSES) {
        this.diagnostics.push({
          line: 1,
          column: 1,
          message: `layout did not settle after ${MAX_PASSES} passes`,
        });
      }
    }
    return {
      placements: () => this.placements(),
      sectionContents: (name: string) => this.sectionContents(name),
      sectionOrder: extents,
      sectionAddresses: this.sectionAddresses,
      symbols: this.symbolList(),
      diagnostics: this.diagnostics,
    };
  }

  /** Where every statement ended up (built on demand: only the listing needs it). */
  private placements(): StatementPlacement[] {
    const statements = this.source.statements;
    const placements: StatementPlacement[] = [];
    for (let index = 0; index < statements.length; index++) {
      if (statements[index].kind === 'section') continue;
      placements.push({
        statement: statements[index],
        section: this.statementSections[index],
        address: this.sectionBase(this.statementSections[index]) + BigInt(this.statementOffsets[index]),
        bytes: this.statementBytes[index],
        size: this.statementSizes[index],
      });
    }
    return placements;
  }

  /** The bytes of a progbits section, from the last pass. */
  private sectionContents(name: string): Uint8Array {
    const size = this.sections.get(name)?.offset ?? 0;
    const contents = new Uint8Array(size);
    for (let index = 0; index < this.statementBytes.length; index++) {
      const bytes = this.statementBytes[index];
      if (bytes && this.statementSections[index] === name) contents.set(bytes, this.statementOffsets[index]);
    }
    return contents;
  }

  private symbolList(): AssembledSymbol[] {
    return [...this.symbols].map(([name, entry]) => ({
      name,
      value: entry.isLabel ? this.sectionBase(entry.section!) + entry.value : entry.value,
      section: entry.isLabel ? entry.section : null,
      global: this.source.globals.has(name),
      line: entry.line,
    }));
  }

  private runPass(): SectionExtent[] {
    this.diagnostics = [];
    this.sections = new Map();
    const order: string[] = [];
    this.switchSection(DEFAULT_SECTION, order);
    const statements = this.source.statements;
    let state = this.sections.get(this.currentSection)!;
    this.currentBase = this.sectionBase(this.currentSection);
    for (let index = 0; index < statements.length; index++) {
      const statement = statements[index];
      if (statement.kind === 'section') {
        this.switchSection(statement.name, order);
        state = this.sections.get(this.currentSection)!;
        this.currentBase = this.sectionBase(this.currentSection);
        continue;
      }
      this.currentOffset = state.offset;
      let bytes: Uint8Array | null = null;
      let size = 0;
      try {
        if (statement.kind === 'instruction') {
          bytes = this.encode(statement, index);
          size = bytes.length;
        } else {
          [bytes, size] = this.place(statement, index, state);
        }
      } catch (error) {
        if (!(error instanceof SourceError)) throw error;
        this.diagnostics.push({
          line: statement.line,
          column: error.column > 0 ? error.column : statement.column,
          message: error.message,
        });
      }
      this.statementSections[index] = this.currentSection;
      this.statementOffsets[index] = this.currentOffset;
      this.statementBytes[index] = bytes;
      this.statementSizes[index] = size;
      state.offset += size;
    }
    const extents = order.map((name) => ({
      name,
      size: BigInt(this.sections.get(name)!.offset),
      alignment: this.sections.get(name)!.alignment,
    }));
    // Sections that exist only because they are the default and stayed empty are dropped.
    return extents.filter(
      (extent) => extent.size > 0n || extent.name !== DEFAULT_SECTION || order.length === 1,
    );
  }

  private switchSection(name: string, order: string[]): void {
    this.currentSection = name;
    if (!this.sections.has(name)) {
      const defaultAlignment = this.dialect === 'nasm' && name !== DEFAULT_SECTION ? 4 : 1;
      this.sections.set(name, { offset: 0, alignment: defaultAlignment });
      order.push(name);
    }
  }

  /** Lays out one statement; returns its bytes (null: nothing or nobits space) and size. */
  private place(statement: Statement, index: number, state: SectionState): [Uint8Array | null, number] {
    switch (statement.kind) {
      case 'label':
        // Labels are kept as section offsets, so that a section moving between passes moves its labels too.
        this.define(statement.name, BigInt(state.offset), 1, this.currentSection, statement.line, true);
        return [null, 0];
      case 'constant': {
        const value = this.evaluate(statement.expression);
        this.define(
          statement.name,
          value.value,
          value.relocation,
          this.currentSection,
          statement.line,
          false,
        );
        return [null, 0];
      }
      case 'origin': {
        const value = this.evaluate(statement.address);
        if (this.pass === 1 && !this.options.pinnedSections.has(DEFAULT_SECTION)) {
          this.origin = value.value;
          this.currentBase = this.sectionBase(this.currentSection);
        }
        return [null, 0];
      }
      case 'instruction': {
        const bytes = this.encode(statement, index);
        return [bytes, bytes.length];
      }
      case 'times':
        return this.placeTimes(statement, index, state);
      default:
        return this.placeData(statement, state);
    }
  }

  private placeTimes(
    statement: Extract<Statement, { kind: 'times' }>,
    index: number,
    state: SectionState,
  ): [Uint8Array | null, number] {
    const count = this.evaluate(statement.count);
    if (count.value < 0n) {
      throw new SourceError(`\`times\` count is negative (${count.value})`, statement.column);
    }
    const repetitions = Number(count.value);
    const parts: Uint8Array[] = [];
    let total = 0;
    const start = this.currentOffset;
    for (let repetition = 0; repetition < repetitions; repetition++) {
      const [bytes, size] =
        statement.body.kind === 'instruction'
          ? ((b: Uint8Array): [Uint8Array, number] => [b, b.length])(this.encode(statement.body, index))
          : this.placeData(statement.body, state);
      if (bytes) parts.push(bytes);
      total += size;
      this.currentOffset = start + total;
    }
    this.currentOffset = start;
    if (isNobitsSection(this.currentSection)) return [null, total];
    return [concatenate(parts, total), total];
  }

  private placeData(statement: Statement, state: SectionState): [Uint8Array | null, number] {
    const nobits = isNobitsSection(this.currentSection);
    switch (statement.kind) {
      case 'data': {
        if (nobits)
          throw new SourceError(
            `initialized data in nobits section \`${this.currentSection}\``,
            statement.column,
          );
        const parts: number[] = [];
        for (const item of statement.items) {
          if (item.kind === 'bytes') {
            for (const byte of item.bytes) parts.push(byte);
            const remainder = item.bytes.length % statement.unit;
            if (remainder !== 0) for (let pad = remainder; pad < statement.unit; pad++) parts.push(0);
            continue;
          }
          const value = this.evaluate(item.expression);
          pushLittleEndian(
            parts,
            checkedValue(value.value, statement.unit * 8, item.column, 'data value'),
            statement.unit,
          );
        }
        const bytes = Uint8Array.from(parts);
        return [bytes, bytes.length];
      }
      case 'reserve': {
        const count = this.evaluate(statement.count);
        if (count.value < 0n)
          throw new SourceError(`reserved size is negative (${count.value})`, statement.column);
        const size = Number(count.value) * statement.unit;
        if (nobits) return [null, size];
        const fill = statement.fill ? Number(BigInt.asUintN(8, this.evaluate(statement.fill).value)) : 0;
        return [new Uint8Array(size).fill(fill), size];
      }
      case 'align': {
        const alignment = Number(this.evaluate(statement.alignment).value);
        if (!(alignment > 0 && (alignment & (alignment - 1)) === 0)) {
          throw new SourceError(`alignment must be a power of two, got ${alignment}`, statement.column);
        }
        state.alignment = Math.max(state.alignment, alignment);
        const padding = Number(alignUp(BigInt(state.offset), alignment) - BigInt(state.offset));
        const maxSkip = statement.maxSkip ? Number(this.evaluate(statement.maxSkip).value) : undefined;
        if (padding === 0 || (maxSkip !== undefined && padding > maxSkip)) return [null, 0];
        if (nobits) return [null, padding];
        if (statement.fill === 'nop') {
          return [codePadding(padding, this.dialect, statement.bits), padding];
        }
        const fill =
          statement.fill === 'zero' ? 0 : Number(BigInt.asUintN(8, this.evaluate(statement.fill).value));
        return [new Uint8Array(padding).fill(fill), padding];
      }
      default:
        throw new SourceError(`\`${statement.kind}\` is not allowed here`, statement.column);
    }
  }

  private define(
    name: string,
    value: bigint,
    relocation: number,
    section: string,
    line: number,
    isLabel: boolean,
  ): void {
    const existing = this.symbols.get(name);
    if (existing && existing.pass === this.pass && (isLabel || this.dialect === 'nasm')) {
      throw new SourceError(`symbol \`${name}\` is already defined (line ${existing.line})`);
    }
    if (!existing) {
      this.symbolsChanged = true;
      this.symbols.set(name, { value, relocation, section, pass: this.pass, line, isLabel });
      return;
    }
    if (existing.value !== value || existing.section !== section) this.symbolsChanged = true;
    existing.value = value;
    existing.relocation = relocation;
    existing.section = section;
    existing.pass = this.pass;
    existing.line = line;
    existing.isLabel = isLabel;
  }

  private evaluate(expression: Expression): ExpressionValue {
    return evaluateExpression(expression, this.context);
  }

  private readonly context = {
    symbol: (name: string, column: number): ExpressionValue => {
      const entry = this.symbols.get(name);
      if (entry) {
        const forward = entry.pass !== this.pass;
        const value = entry.isLabel ? this.sectionBase(entry.section!) + entry.value : entry.value;
        const section = entry.isLabel ? (entry.section ?? undefined) : undefined;
        return { value, relocation: entry.relocation, known: true, forward, section };
      }
      if (this.pass === 1) {
        this.usedUnknown = true;
        return { value: 0n, relocation: 1, known: false, forward: true };
      }
      throw new SourceError(`undefined symbol \`${name}\``, column);
    },
    here: () => this.currentBase + BigInt(this.currentOffset),
    sectionStart: () => this.sectionBase(this.currentSection),
  };

  private sectionBase(name: string): bigint {
    return this.sectionAddresses.get(name) ?? this.options.pinnedSections.get(name) ?? this.origin;
  }

  /** True when the GNU or NASM rules ask for a full-width field for this value. */
  /** The statement's source text without its comment, for error messages. */
  private sourceText(statement: InstructionStatement): string {
    const line = this.options.lines[statement.line - 1] ?? '';
    const comment = this.dialect === 'nasm' ? ';' : '#';
    const text = line.slice(statement.column - 1);
    const end = text.indexOf(comment);
    return (end >= 0 ? text.slice(0, end) : text).trim();
  }

  private needsWideField(value: ExpressionValue): boolean {
    return value.relocation !== 0 || !value.known || (this.dialect === 'gnu' && value.forward);
  }

  private encode(statement: InstructionStatement, index: number): Uint8Array {
    const fixed = this.fixedBytes[index] ?? this.encodingCache.get(statement.operands);
    if (fixed) {
      this.fixedBytes[index] = fixed;
      return fixed;
    }
    let constant = true;
    this.crossSectionTarget = false;
    const operands: EncoderArgument[] = [];
    for (const operand of statement.operands) {
      operands.push(this.resolveOperand(operand, statement));
      constant &&= this.lastOperandConstant;
    }
    let encoded: EncodedInstruction;
    try {
      encoded = encodeInstruction({
        mnemonic: statement.mnemonic,
        prefixes: statement.prefixes,
        operands,
        mode: statement.bits,
        address: this.currentBase + BigInt(this.currentOffset),
        style: this.dialect,
        longBranch: this.longBranch[index] === 1 || this.crossSectionTarget,
      });
    } catch (error) {
      if (!(error instanceof EncodingError)) throw error;
      const operand = error.operandIndex === undefined ? undefined : statement.operands[error.operandIndex];
      const hint = error.hint ? ` — ${error.hint}` : '';
      throw new SourceError(
        `${error.message}: \`${this.sourceText(statement)}\`${hint}`,
        operand?.column ?? statement.column,
      );
    }
    if (encoded.branch === 'long') this.longBranch[index] = 1;
    if (constant && encoded.branch === null) {
      this.fixedBytes[index] = encoded.bytes;
      this.encodingCache.set(statement.operands, encoded.bytes);
    }
    return encoded.bytes;
  }

  /** Set by {@link resolveOperand}: the operand's value cannot change between passes. */
  private lastOperandConstant = true;
  /** Set by {@link resolveOperand}: an immediate names a label in another section. */
  private crossSectionTarget = false;

  private resolveOperand(operand: Operand, statement: InstructionStatement): EncoderArgument {
    switch (operand.kind) {
      case 'register':
        this.lastOperandConstant = true;
        return operand.argument;
      case 'immediate': {
        const value = this.evaluate(operand.expression);
        this.lastOperandConstant = isConstantExpression(operand.expression);
        // A branch to another section cannot be relaxed: the assembler does not know how far apart
        // sections will be (GNU as emits rel32 with a relocation; NASM does the same).
        if (value.section !== undefined && value.section !== this.currentSection)
          this.crossSectionTarget = true;
        return {
          kind: 'immediate',
          value: value.value,
          size: operand.size,
          strict: operand.strict,
          wide: this.needsWideField(value),
          provisional: !value.known,
          distance: operand.distance,
        };
      }
      case 'memory': {
        const expression = operand.address.displacement;
        const value = expression ? this.evaluate(expression) : undefined;
        const argument = resolveMemoryOperand(operand, value, {
          dialect: this.dialect,
          bits: statement.bits,
          defaultRelative: statement.defaultRelative,
          wide: value !== undefined && this.needsWideField(value),
        });
        this.lastOperandConstant =
          !argument.ripRelative && (expression === null || isConstantExpression(expression));
        return argument;
      }
    }
  }
}

function concatenate(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const output = new Uint8Array(total);
  let position = 0;
  for (const part of parts) {
    output.set(part, position);
    position += part.length;
  }
  return parts.length === 0 ? EMPTY : output;
}

function pushLittleEndian(output: number[], value: bigint, size: number): void {
  let rest = BigInt.asUintN(size * 8, value);
  for (let byte = 0; byte < size; byte++) {
    output.push(Number(rest & 0xffn));
    rest >>= 8n;
  }
}

/** Checks that `value` fits `bits` bits as a signed or an unsigned number. */
export function checkedValue(value: bigint, bits: number, column: number, what: string): bigint {
  const limit = 1n << BigInt(bits);
  if (value >= limit || value < -(limit >> 1n)) {
    throw new SourceError(`${what} ${value} does not fit in ${bits} bits`, column);
  }
  return value;
}
