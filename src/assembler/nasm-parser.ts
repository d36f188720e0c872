/**
 * Parser for NASM-syntax source (NASM manual ch. 3 "The NASM Language" and ch. 6 "Directives"):
 * `label: [times N] [prefix] mnemonic operands ; comment`, `bits`, `default rel`, `section`, `org`,
 * `global`/`extern`, `align`/`alignb`, `db`…`dq`, `resb`…`resq`, `equ`, and `%define`/`%undef` for
 * simple constants. Local labels (`.loop`) belong to the last non-local label.
 */
import type { AssemblyDiagnostic } from './diagnostics.js';
import { SourceError } from './diagnostics.js';
import {
  type Expression,
  type ExpressionSyntax,
  parseExpression,
  splitAddress,
  TokenCursor,
} from './expression.js';
import { type Token, tokenizeLine } from './lexer.js';
import { InstructionLineCache } from './line-cache.js';
import {
  asRegister,
  asSegmentRegister,
  NASM_SIZE_KEYWORDS,
  PREFIX_WORDS,
  require,
} from './operand-syntax.js';
import type {
  Bits,
  DataItem,
  ImmediateOperand,
  MemoryOperand,
  Operand,
  ParsedSource,
  Statement,
} from './statements.js';

/** What the dialect parsers need to know. */
export interface ParserOptions {
  /** Initial mode (the CLI's `--mode`). */
  readonly bits: Bits;
  /** True when `word` is an instruction mnemonic the encoder knows. */
  isMnemonic(word: string): boolean;
}

/** A parser's output: the statements and any syntax errors found. */
export interface ParseResult {
  readonly source: ParsedSource;
  readonly diagnostics: AssemblyDiagnostic[];
}

const DATA_UNITS: ReadonlyMap<string, 1 | 2 | 4 | 8 | 10> = new Map([
  ['db', 1],
  ['dw', 2],
  ['dd', 4],
  ['dq', 8],
  ['dt', 10],
]);
const RESERVE_UNITS: ReadonlyMap<string, 1 | 2 | 4 | 8 | 10> = new Map([
  ['resb', 1],
  ['resw', 2],
  ['resd', 4],
  ['resq', 8],
  ['rest', 10],
]);
const BRACKETED_DIRECTIVES = new Set([
  'bits',
  'section',
  'segment',
  'default',
  'org',
  'global',
  'extern',
  'cpu',
  'warning',
  'map',
]);
const IGNORED_DIRECTIVES = new Set(['cpu', 'warning', 'map', 'sectalign', 'float']);

/** Parses NASM source lines into statements, collecting every syntax error. */
export function parseNasm(lines: readonly string[], options: ParserOptions): ParseResult {
  return new NasmParser(options).parse(lines);
}

class NasmParser {
  private bits: Bits;
  private defaultRelative = false;
  private parentLabel = '';
  private readonly defines = new Map<string, Token[]>();
  private definesVersion = 0;
  private readonly lineCache = new InstructionLineCache();
  private readonly statements: Statement[] = [];
  private readonly globals = new Set<string>();
  private readonly diagnostics: AssemblyDiagnostic[] = [];
  private line = 0;
  private readonly syntax: ExpressionSyntax;
  private readonly addressSyntax: ExpressionSyntax;

  constructor(private readonly options: ParserOptions) {
    this.bits = options.bits;
    const qualify = (name: string) => this.qualify(name);
    this.syntax = { dialect: 'nasm', qualify, allowRegisters: false };
    this.addressSyntax = { dialect: 'nasm', qualify, allowRegisters: true };
  }

  parse(lines: readonly string[]): ParseResult {
    for (let index = 0; index < lines.length; index++) {
      this.line = index + 1;
      try {
        this.parseLine(lines[index]);
      } catch (error) {
        if (!(error instanceof SourceError)) throw error;
        this.diagnostics.push({ line: this.line, column: Math.max(1, error.column), message: error.message });
      }
    }
    return {
      source: { dialect: 'nasm', statements: this.statements, globals: this.globals },
      diagnostics: this.diagnostics,
    };
  }

  private qualify(name: string): string {
    if (name.startsWith('.') && !name.startsWith('..')) return this.parentLabel + name;
    return name;
  }

  private parseLine(line: string): void {
    // The enclosing label matters only to lines that may name a local label (`.loop`).
    const state = this.bits * 2 + (this.defaultRelative ? 1 : 0) + this.definesVersion * 256;
    const scope = line.includes('.') ? this.parentLabel : '';
    const cached = this.lineCache.lookup(line, state, scope, this.line);
    if (cached) {
      this.statements.push(cached);
      return;
    }
    const before = this.statements.length;
    this.parseLineText(line);
    this.lineCache.remember(line, state, scope, this.statements, before);
  }

  private parseLineText(line: string): void {
    const trimmed = line.trimStart();
    if (trimmed.startsWith('%')) {
      this.preprocessorDirective(trimmed, line.length - trimmed.length + 1);
      return;
    }
    let tokens = tokenizeLine(line, 'nasm');
    if (tokens.length === 0) return;
    if (this.defines.size > 0) tokens = this.expandDefines(tokens);
    if (
      tokens[0].kind === 'punctuation' &&
      tokens[0].text === '[' &&
      tokens[1]?.kind === 'identifier' &&
      BRACKETED_DIRECTIVES.has(tokens[1].text.toLowerCase())
    ) {
      const last = tokens[tokens.length - 1];
      require(last.kind === 'punctuation' &&
        last.text === ']', 'expected `]` closing the directive', last.column);
      tokens = tokens.slice(1, -1);
    }
    const cursor = new TokenCursor(tokens, line.length + 1);
    const statement = this.parseStatement(cursor, true);
    if (statement) this.statements.push(statement);
    if (!cursor.atEnd) {
      throw new SourceError(`unexpected ${cursor.describeCurrent()} after the statement`, cursor.column);
    }
  }

  private preprocessorDirective(text: string, column: number): void {
    const match = /^%(\w+)\s*(.*)$/.exec(text);
    const name = match?.[1].toLowerCase() ?? '';
    if (name === 'define' || name === 'xdefine' || name === 'assign' || name === 'undef') {
      const rest = match?.[2] ?? '';
      const nameMatch = /^([A-Za-z_.?$][\w.?$#@]*)(\(?)/.exec(rest);
      require(nameMatch !== null, `expected a macro name after %${name}`, column + name.length + 2);
      require(nameMatch[2] !==
        '(', `%${name} with parameters is not supported (only simple constants)`, column);
      if (name === 'undef') {
        this.defines.delete(nameMatch[1]);
        this.definesVersion++;
        return;
      }
      const body = tokenizeLine(rest.slice(nameMatch[1].length), 'nasm');
      this.defines.set(nameMatch[1], this.expandDefines(body));
      this.definesVersion++;
      return;
    }
    throw new SourceError(
      `preprocessor directive \`%${name}\` is not supported (supported: %define, %xdefine, %assign, %undef)`,
      column,
    );
  }

  private expandDefines(tokens: Token[]): Token[] {
    const output: Token[] = [];
    for (const token of tokens) {
      const replacement = token.kind === 'identifier' ? this.defines.get(token.text) : undefined;
      if (replacement) for (const part of replacement) output.push({ ...part, column: token.column });
      else output.push(token);
    }
    return output;
  }

  /** Parses one statement; `allowLabel` is false inside `times`. Returns undefined for directives handled here. */
  private parseStatement(cursor: TokenCursor, allowLabel: boolean): Statement | undefined {
    const first = cursor.current;
    if (!first) return undefined;
    if (first.kind !== 'identifier') {
      throw new SourceError(
        `expected a label, instruction or directive but found ${cursor.describeCurrent()}`,
        first.column,
      );
    }
    const word = first.text.toLowerCase();
    const position = { line: this.line, column: first.column };
    const next = cursor.tokens[cursor.index + 1];
    if (allowLabel && next?.kind === 'punctuation' && next.text === ':' && !asSegmentRegister(word)) {
      cursor.index += 2;
      this.pushLabel(first.text, first.column);
      return this.parseStatement(cursor, true);
    }
    if (allowLabel && next?.kind === 'identifier' && next.text.toLowerCase() === 'equ') {
      cursor.index += 2;
      const name = this.qualify(first.text);
      return { kind: 'constant', name, expression: parseExpression(cursor, this.syntax), ...position };
    }
    if (this.isInstructionWord(word)) return this.parseInstruction(cursor);
    const dataUnit = DATA_UNITS.get(word);
    if (dataUnit) {
      cursor.index++;
      return { kind: 'data', unit: dataUnit, items: this.parseDataItems(cursor), ...position };
    }
    const reserveUnit = RESERVE_UNITS.get(word);
    if (reserveUnit) {
      cursor.index++;
      return {
        kind: 'reserve',
        unit: reserveUnit,
        count: parseExpression(cursor, this.syntax),
        fill: undefined,
        ...position,
      };
    }
    if (word === 'times') {
      cursor.index++;
      const count = parseExpression(cursor, this.syntax);
      const body = this.parseStatement(cursor, false);
      require(body !== undefined, 'expected an instruction or data after `times COUNT`', cursor.column);
      return { kind: 'times', count, body, ...position };
    }
    const directive = this.parseDirective(cursor, word, position);
    if (directive !== false) return directive;
    // NASM also takes a word alone on a line as a label (with a warning); vial refuses it, because it is
    // far more often a misspelt or unsupported instruction (docs/assembler.md, "Differences").
    if (allowLabel && next?.kind === 'identifier' && this.startsStatement(next.text)) {
      cursor.index++;
      this.pushLabel(first.text, first.column);
      return this.parseStatement(cursor, true);
    }
    const alone = cursor.tokens.length === cursor.index + 1;
    const hint = alone ? ' (a label needs a colon: `name:`)' : '';
    throw new SourceError(`unknown instruction or directive \`${first.text}\`${hint}`, first.column);
  }

  private startsStatement(word: string): boolean {
    const lower = word.toLowerCase();
    return (
      this.isInstructionWord(lower) ||
      DATA_UNITS.has(lower) ||
      RESERVE_UNITS.has(lower) ||
      lower === 'times' ||
      lower === 'align'
    );
  }

  private isInstructionWord(word: string): boolean {
    return PREFIX_WORDS.has(word) || this.options.isMnemonic(word);
  }

  private pushLabel(written: string, column: number): void {
    const name = this.qualify(written);
    if (!written.startsWith('.') || written.startsWith('..@')) {
      if (!written.startsWith('..')) this.parentLabel = written;
    }
    this.statements.push({ kind: 'label', name, line: this.line, column });
  }

  /** Handles a directive; returns false when `word` is not one. */
  private parseDirective(
    cursor: TokenCursor,
    word: string,
    position: { line: number; column: number },
  ): Statement | undefined | false {
    switch (word) {
      case 'bits': {
        cursor.index++;
        const token = cursor.next();
        const bits = Number(token.value);
        require(token.kind === 'number' &&
          (bits === 16 || bits === 32 || bits === 64), 'expected 16, 32 or 64 after `bits`', token.column);
        this.bits = bits;
        return undefined;
      }
      case 'use16':
      case 'use32':
      case 'use64':
        cursor.index++;
        this.bits = Number(word.slice(3)) as Bits;
        return undefined;
      case 'default': {
        cursor.index++;
        const token = cursor.next();
        const value = token.text.toLowerCase();
        require(value === 'rel' || value === 'abs', 'expected `rel` or `abs` after `default`', token.column);
        this.defaultRelative = value === 'rel';
        while (cursor.accept(',')) cursor.next();
        return undefined;
      }
      case 'section':
      case 'segment': {
        cursor.index++;
        const token = cursor.next();
        require(token.kind === 'identifier', 'expected a section name', token.column);
        cursor.index = cursor.tokens.length; // attributes (align=, progbits…) are accepted and ignored
        return { kind: 'section', name: token.text, ...position };
      }
      case 'org':
        cursor.index++;
        return { kind: 'origin', address: parseExpression(cursor, this.syntax), ...position };
      case 'global':
      case 'extern':
      case 'common':
      case 'static':
        cursor.index++;
        do {
          const token = cursor.next();
          require(token.kind === 'identifier', `expected a symbol name after \`${word}\``, token.column);
          if (word === 'global') this.globals.add(this.qualify(token.text));
          if (cursor.accept(':')) cursor.next();
        } while (cursor.accept(','));
        return undefined;
      case 'align':
      case 'alignb': {
        cursor.index++;
        const alignment = parseExpression(cursor, this.syntax);
        let fill: 'nop' | 'zero' | Expression = word === 'align' ? 'nop' : 'zero';
        if (cursor.accept(',')) {
          const what = cursor.next();
          const kind = what.text.toLowerCase();
          if (kind === 'db') fill = parseExpression(cursor, this.syntax);
          else if (kind === 'nop') fill = 'nop';
          else if (kind === 'resb') fill = 'zero';
          else throw new SourceError('expected `nop`, `db VALUE` or `resb 1` as the align fill', what.column);
          if (kind === 'resb') parseExpression(cursor, this.syntax);
        }
        return { kind: 'align', alignment, fill, maxSkip: undefined, bits: this.bits, ...position };
      }
      case 'absolute':
      case 'incbin':
      case 'struc':
      case 'istruc':
        throw new SourceError(`directive \`${word}\` is not supported`, position.column);
      default:
        if (IGNORED_DIRECTIVES.has(word)) {
          cursor.index = cursor.tokens.length;
          return undefined;
        }
        return false;
    }
  }

  private parseDataItems(cursor: TokenCursor): DataItem[] {
    const items: DataItem[] = [];
    do {
      const token = cursor.current;
      require(token !== undefined, 'expected a value after the data directive', cursor.column);
      const after = cursor.tokens[cursor.index + 1];
      if (token.kind === 'string' && (!after || (after.kind === 'punctuation' && after.text === ','))) {
        cursor.index++;
        items.push({ kind: 'bytes', bytes: token.bytes ?? new Uint8Array() });
      } else {
        items.push({
          kind: 'expression',
          expression: parseExpression(cursor, this.syntax),
          column: token.column,
        });
      }
    } while (cursor.accept(','));
    return items;
  }

  private parseInstruction(cursor: TokenCursor): Statement {
    const start = cursor.current!;
    const prefixes: string[] = [];
    let mnemonic = '';
    while (!cursor.atEnd) {
      const token = cursor.next();
      const word = token.text.toLowerCase();
      if (token.kind === 'identifier' && PREFIX_WORDS.has(word) && !this.options.isMnemonic(word)) {
        prefixes.push(word);
        continue;
      }
      if (token.kind === 'identifier' && this.options.isMnemonic(word)) {
        mnemonic = word;
        break;
      }
      throw new SourceError(
        `expected an instruction after the prefix but found \`${token.text}\``,
        token.column,
      );
    }
    require(mnemonic !== '' || prefixes.length > 0, 'expected an instruction', start.column);
    if (mnemonic === '') {
      // A prefix alone on a line (`rep`, `lock`) is emitted as a prefix byte by NASM.
      mnemonic = prefixes.pop()!;
    }
    const operands: Operand[] = [];
    if (!cursor.atEnd) {
      do operands.push(this.parseOperand(cursor));
      while (cursor.accept(','));
    }
    return {
      kind: 'instruction',
      mnemonic,
      prefixes,
      operands,
      bits: this.bits,
      defaultRelative: this.defaultRelative,
      line: this.line,
      column: start.column,
    };
  }

  private parseOperand(cursor: TokenCursor): Operand {
    const column = cursor.column;
    let size: MemoryOperand['size'];
    let strict = false;
    let distance: ImmediateOperand['distance'];
    for (;;) {
      const token = cursor.current;
      if (token?.kind !== 'identifier') break;
      const word = token.text.toLowerCase();
      const keywordSize = NASM_SIZE_KEYWORDS.get(word);
      if (keywordSize !== undefined) size = keywordSize;
      else if (word === 'strict') strict = true;
      else if (word === 'short' || word === 'near') distance = word;
      else if (word === 'far') throw new SourceError('far jumps and calls are not supported', token.column);
      else break;
      cursor.index++;
    }
    const token = cursor.current;
    require(token !== undefined, 'expected an operand', cursor.column);
    const segmentBeforeBracket =
      token.kind === 'identifier' &&
      asSegmentRegister(token.text) &&
      cursor.tokens[cursor.index + 1]?.text === ':';
    if (cursor.isPunctuation('[') || segmentBeforeBracket) {
      let segment: MemoryOperand['segment'];
      if (segmentBeforeBracket) {
        segment = asSegmentRegister(token.text);
        cursor.index += 2;
      }
      return this.parseMemory(cursor, size, segment, column);
    }
    if (token.kind === 'identifier') {
      const register = asRegister(token.text);
      const after = cursor.tokens[cursor.index + 1];
      if (register && (!after || after.text === ',')) {
        cursor.index++;
        return {
          kind: 'register',
          name: register,
          column: token.column,
          argument: { kind: 'register', name: register },
        };
      }
    }
    const expression = parseExpression(cursor, this.syntax);
    return { kind: 'immediate', expression, size, strict, distance, column };
  }

  private parseMemory(
    cursor: TokenCursor,
    size: MemoryOperand['size'],
    segment: MemoryOperand['segment'],
    column: number,
  ): MemoryOperand {
    cursor.expect('[', '`[`');
    let relative: MemoryOperand['relative'];
    let noSplit = false;
    let displacementSize: MemoryOperand['displacementSize'];
    for (;;) {
      const token = cursor.current;
      if (token?.kind !== 'identifier') break;
      const word = token.text.toLowerCase();
      const keywordSize = NASM_SIZE_KEYWORDS.get(word);
      if (keywordSize === 8 || keywordSize === 16 || keywordSize === 32 || keywordSize === 64)
        displacementSize = keywordSize;
      else if (word === 'rel' || word === 'abs') relative = word;
      else if (word === 'nosplit') noSplit = true;
      else if (asSegmentRegister(word) && cursor.tokens[cursor.index + 1]?.text === ':') {
        segment = asSegmentRegister(word);
        cursor.index++;
      } else break;
      cursor.index++;
    }
    const expression = parseExpression(cursor, this.addressSyntax);
    cursor.expect(']', '`]` closing the memory operand');
    return {
      kind: 'memory',
      size,
      segment,
      address: splitAddress(expression),
      relative,
      noSplit,
      displacementSize,
      column,
    };
  }
}
