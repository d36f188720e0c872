/**
 * Parser for GNU as Intel syntax (`.intel_syntax noprefix`), as emitted by `gcc -S -masm=intel`
 * (GNU as manual §9.16 "80386 Dependent Features", ch. 7 "Assembler Directives"). Operands look like
 * `DWORD PTR [rax+rcx*4+8]`, `QWORD PTR .LC0[rip]`, `OFFSET FLAT:sym`, `fs:40`; a bare symbol is a
 * memory operand (except as a branch target or when it names an absolute constant), as in GNU as.
 */

import type { AssemblyDiagnostic } from './diagnostics.js';
import { SourceError } from './diagnostics.js';
import {
  constantValue,
  type Expression,
  type ExpressionSyntax,
  parseExpression,
  splitAddress,
  TokenCursor,
} from './expression.js';
import type { Token } from './lexer.js';
import { tokenizeLine } from './lexer.js';
import { InstructionLineCache } from './line-cache.js';
import type { ParseResult, ParserOptions } from './nasm-parser.js';
import { asRegister, asSegmentRegister, GNU_SIZE_KEYWORDS, PREFIX_WORDS, require } from './operand-syntax.js';
import type { Bits, DataItem, MemoryOperand, Operand, Statement } from './statements.js';

const DATA_UNITS: ReadonlyMap<string, 1 | 2 | 4 | 8> = new Map([
  ['.byte', 1],
  ['.2byte', 2],
  ['.short', 2],
  ['.value', 2],
  ['.word', 2],
  ['.hword', 2],
  ['.4byte', 4],
  ['.long', 4],
  ['.int', 4],
  ['.8byte', 8],
  ['.quad', 8],
]);
/** Directives that do not change the bytes of a flat image; accepted and ignored. */
const IGNORED_DIRECTIVES = new Set([
  '.type',
  '.size',
  '.file',
  '.ident',
  '.loc',
  '.local',
  '.weak',
  '.hidden',
  '.protected',
  '.internal',
  '.addrsig',
  '.addrsig_sym',
  '.end',
  '.extern',
  '.arch',
  '.nops',
]);
/** Mnemonics whose bare-symbol operand is a branch target, not a memory operand. */
const BRANCH_MNEMONICS = /^(j[a-z]+|call|loop[a-z]*|xbegin)$/;

/** Parses GNU as Intel-syntax source lines into statements, collecting every syntax error. */
export function parseGnu(lines: readonly string[], options: ParserOptions): ParseResult {
  return new GnuParser(options).parse(lines);
}

/** A punctuation token made by the parser (brackets rewritten as parentheses). */
function punctuation(text: string, column: number): Token {
  return { kind: 'punctuation', text, column, value: undefined, bytes: undefined };
}

/** Splits a physical line at `;` statement separators that are outside strings. */
function splitStatements(line: string): string[] {
  if (!line.includes(';')) return [line];
  const parts: string[] = [];
  let start = 0;
  let quote = '';
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quote) {
      if (char === '\\') index++;
      else if (char === quote) quote = '';
    } else if (char === '"') quote = char;
    else if (char === '#') break;
    else if (char === ';') {
      parts.push(`${' '.repeat(start)}${line.slice(start, index)}`);
      start = index + 1;
    }
  }
  parts.push(`${' '.repeat(start)}${line.slice(start)}`);
  return parts;
}

class GnuParser {
  private bits: Bits;
  private section = '.text';
  private readonly sectionStack: string[] = [];
  private previousSection = '.text';
  private readonly statements: Statement[] = [];
  private readonly globals = new Set<string>();
  private readonly constants = new Set<string>();
  private readonly lineCache = new InstructionLineCache();
  private readonly diagnostics: AssemblyDiagnostic[] = [];
  private line = 0;
  private readonly syntax: ExpressionSyntax;
  private readonly addressSyntax: ExpressionSyntax;

  constructor(private readonly options: ParserOptions) {
    this.bits = options.bits;
    const qualify = (name: string) => {
      const at = name.indexOf('@');
      if (at < 0) return name;
      const suffix = name.slice(at + 1).toUpperCase();
      if (suffix !== 'PLT') {
        throw new SourceError(
          `relocation \`@${name.slice(at + 1)}\` is not supported in a flat image (only @PLT)`,
        );
      }
      return name.slice(0, at);
    };
    this.syntax = { dialect: 'gnu', qualify, allowRegisters: false };
    this.addressSyntax = { dialect: 'gnu', qualify, allowRegisters: true };
  }

  parse(lines: readonly string[]): ParseResult {
    this.parseLines(lines, 0, lines.length);
    return {
      source: { dialect: 'gnu', statements: this.statements, globals: this.globals },
      diagnostics: this.diagnostics,
    };
  }

  /** Parses lines [start, end), expanding `.rept COUNT` … `.endr` blocks. */
  private parseLines(lines: readonly string[], start: number, end: number): void {
    for (let index = start; index < end; index++) {
      this.line = index + 1;
      const text = lines[index];
      const mayRepeat = text.includes('.rept') || text.includes('.REPT');
      const repeat = mayRepeat ? /^\s*\.rept\s+(.*)$/i.exec(text) : null;
      if (repeat) {
        const close = this.findEndOfRepeat(lines, index, end);
        const count = this.repeatCount(repeat[1], lines[index].indexOf('.rept') + 6);
        for (let copy = 0; copy < count; copy++) this.parseLines(lines, index + 1, close);
        index = close;
        continue;
      }
      for (const part of splitStatements(lines[index])) {
        try {
          this.parseLine(part);
        } catch (error) {
          if (!(error instanceof SourceError)) throw error;
          this.diagnostics.push({
            line: this.line,
            column: Math.max(1, error.column),
            message: error.message,
          });
        }
      }
    }
  }

  private findEndOfRepeat(lines: readonly string[], start: number, end: number): number {
    let depth = 0;
    for (let index = start; index < end; index++) {
      if (/^\s*\.rept\b/i.test(lines[index])) depth++;
      else if (/^\s*\.endr\b/i.test(lines[index]) && --depth === 0) return index;
    }
    this.diagnostics.push({ line: start + 1, column: 1, message: '`.rept` without a matching `.endr`' });
    return end;
  }

  private repeatCount(text: string, column: number): number {
    try {
      const tokens = tokenizeLine(text, 'gnu');
      const cursor = new TokenCursor(tokens, text.length + 1);
      const count = constantValue(parseExpression(cursor, this.syntax), column, 'the `.rept` count');
      if (count < 0n || count > 1_000_000n)
        throw new SourceError(`\`.rept\` count ${count} is out of range (0..1000000)`, column);
      return Number(count);
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      this.diagnostics.push({ line: this.line, column, message: error.message });
      return 0;
    }
  }

  private parseLine(line: string): void {
    // A bare symbol is an immediate only if a `.set` defined it earlier, so constants are part of the state.
    const state = this.bits + this.constants.size * 256;
    const cached = this.lineCache.lookup(line, state, '', this.line);
    if (cached) {
      this.statements.push(cached);
      return;
    }
    const before = this.statements.length;
    this.parseLineText(line);
    this.lineCache.remember(line, state, '', this.statements, before);
  }

  private parseLineText(line: string): void {
    // Only lines whose first word starts with `.` can be directives (`.L3:` labels are handled below).
    const startsWithDot = line.trimStart().startsWith('.');
    const directiveMatch = startsWithDot ? /^\s*(\.[A-Za-z_][\w.]*)\b\s*(.*)$/.exec(line) : null;
    const directiveName = directiveMatch?.[1].toLowerCase() ?? '';
    // Directives that change nothing in a flat image are skipped before tokenizing: their arguments
    // use syntax of their own (`.type f, @function`, `.section .note.GNU-stack,"",@progbits`).
    if (IGNORED_DIRECTIVES.has(directiveName) || directiveName.startsWith('.cfi_')) return;
    if (directiveName === '.section' || directiveName === '.pushsection') {
      const column = line.indexOf(directiveMatch![1]) + 1;
      this.parseDirective(directiveName, new TokenCursor([], line.length + 1), directiveMatch![2], {
        line: this.line,
        column,
      });
      return;
    }
    const tokens = tokenizeLine(line, 'gnu');
    const cursor = new TokenCursor(tokens, line.length + 1);
    while (cursor.current?.kind === 'identifier' && cursor.tokens[cursor.index + 1]?.text === ':') {
      const token = cursor.next();
      cursor.next();
      this.statements.push({
        kind: 'label',
        name: this.syntax.qualify(token.text),
        line: this.line,
        column: token.column,
      });
    }
    if (cursor.atEnd) return;
    const first = cursor.current!;
    if (first.kind !== 'identifier') {
      throw new SourceError(
        `expected a label, instruction or directive but found ${cursor.describeCurrent()}`,
        first.column,
      );
    }
    const position = { line: this.line, column: first.column };
    if (cursor.tokens[cursor.index + 1]?.text === '=') {
      cursor.index += 2;
      this.pushConstant(first.text, parseExpression(cursor, this.syntax), position);
    } else if (first.text.startsWith('.') && first.text.length > 1) {
      const rawArguments = cursor.index === 0 && directiveMatch ? directiveMatch[2] : '';
      cursor.index++;
      this.parseDirective(first.text.toLowerCase(), cursor, rawArguments, position);
    } else {
      this.statements.push(this.parseInstruction(cursor));
    }
    if (!cursor.atEnd)
      throw new SourceError(`unexpected ${cursor.describeCurrent()} after the statement`, cursor.column);
  }

  private pushConstant(
    name: string,
    expression: Expression,
    position: { line: number; column: number },
  ): void {
    this.constants.add(name);
    this.statements.push({ kind: 'constant', name, expression, ...position });
  }

  private switchSection(name: string, position: { line: number; column: number }): void {
    this.previousSection = this.section;
    this.section = name;
    this.statements.push({ kind: 'section', name, ...position });
  }

  private parseDirective(
    directive: string,
    cursor: TokenCursor,
    rawArguments: string,
    position: { line: number; column: number },
  ): void {
    const unit = DATA_UNITS.get(directive);
    if (unit) {
      const items: DataItem[] = [];
      do
        items.push({
          kind: 'expression',
          expression: parseExpression(cursor, this.syntax),
          column: cursor.column,
        });
      while (cursor.accept(','));
      this.statements.push({ kind: 'data', unit, items, ...position });
      return;
    }
    if (IGNORED_DIRECTIVES.has(directive) || directive.startsWith('.cfi_')) {
      cursor.index = cursor.tokens.length;
      return;
    }
    switch (directive) {
      case '.intel_syntax':
        require(!cursor.acceptWord(
          'prefix',
        ), '`.intel_syntax prefix` (registers written with %) is not supported; use noprefix', cursor.column);
        cursor.acceptWord('noprefix');
        return;
      case '.att_syntax':
        throw new SourceError(
          'AT&T syntax is not supported: vial assembles Intel syntax (`.intel_syntax noprefix`)',
          position.column,
        );
      case '.code16':
      case '.code32':
      case '.code64':
        this.bits = Number(directive.slice(5)) as Bits;
        return;
      case '.text':
      case '.data':
      case '.bss':
        cursor.index = cursor.tokens.length;
        this.switchSection(directive, position);
        return;
      case '.section':
      case '.pushsection': {
        const name = /^\s*("([^"]*)"|[^\s,]+)/.exec(rawArguments);
        require(name !== null, 'expected a section name', cursor.column);
        cursor.index = cursor.tokens.length;
        if (directive === '.pushsection') this.sectionStack.push(this.section);
        this.switchSection(name[2] ?? name[1], position);
        return;
      }
      case '.popsection': {
        const previous = this.sectionStack.pop();
        require(previous !== undefined, '`.popsection` without `.pushsection`', position.column);
        this.switchSection(previous, position);
        return;
      }
      case '.endr':
        throw new SourceError('`.endr` without `.rept`', position.column);
      case '.previous':
        this.switchSection(this.previousSection, position);
        return;
      case '.globl':
      case '.global':
        do this.globals.add(this.syntax.qualify(cursor.next().text));
        while (cursor.accept(','));
        return;
      case '.set':
      case '.equ':
      case '.equiv': {
        const name = cursor.next();
        require(name.kind === 'identifier', `expected a symbol name after \`${directive}\``, name.column);
        cursor.expect(',', '`,` after the symbol name');
        this.pushConstant(name.text, parseExpression(cursor, this.syntax), position);
        return;
      }
      case '.p2align':
      case '.balign':
      case '.align':
        this.parseAlign(directive, cursor, position);
        return;
      case '.ascii':
      case '.asciz':
      case '.string': {
        do {
          const token = cursor.next();
          require(token.kind === 'string', `expected a string after \`${directive}\``, token.column);
          const bytes = token.bytes ?? new Uint8Array();
          const withNul = directive === '.ascii' ? bytes : Uint8Array.from([...bytes, 0]);
          this.statements.push({
            kind: 'data',
            unit: 1,
            items: [{ kind: 'bytes', bytes: withNul }],
            ...position,
          });
        } while (cursor.accept(','));
        return;
      }
      case '.zero':
      case '.skip':
      case '.space': {
        const count = parseExpression(cursor, this.syntax);
        const fill = cursor.accept(',') ? parseExpression(cursor, this.syntax) : undefined;
        this.statements.push({ kind: 'reserve', unit: 1, count, fill, ...position });
        return;
      }
      case '.comm':
      case '.lcomm':
        this.parseCommon(cursor, position);
        return;
      default:
        throw new SourceError(`unknown or unsupported directive \`${directive}\``, position.column);
    }
  }

  private parseAlign(
    directive: string,
    cursor: TokenCursor,
    position: { line: number; column: number },
  ): void {
    const amount = parseExpression(cursor, this.syntax);
    let fill: Expression | undefined;
    let maxSkip: Expression | undefined;
    if (cursor.accept(',')) {
      if (!cursor.isPunctuation(',') && !cursor.atEnd) fill = parseExpression(cursor, this.syntax);
      if (cursor.accept(',')) maxSkip = parseExpression(cursor, this.syntax);
    }
    const alignment: Expression =
      directive === '.p2align'
        ? {
            kind: 'binary',
            operator: '<<',
            left: { kind: 'number', value: 1n },
            right: amount,
            column: position.column,
          }
        : amount;
    // Without an explicit fill, code sections get NOP padding and other sections zeros (GNU as §7.4).
    const isCode = this.section === '.text' || this.section.startsWith('.text.');
    this.statements.push({
      kind: 'align',
      alignment,
      fill: fill ?? (isCode ? 'nop' : 'zero'),
      maxSkip,
      bits: this.bits,
      ...position,
    });
  }

  private parseCommon(cursor: TokenCursor, position: { line: number; column: number }): void {
    const name = cursor.next();
    cursor.expect(',', '`,` after the symbol name');
    const size = parseExpression(cursor, this.syntax);
    const alignment = cursor.accept(',')
      ? parseExpression(cursor, this.syntax)
      : { kind: 'number' as const, value: 1n };
    const returnTo = this.section;
    this.switchSection('.bss', position);
    this.statements.push({
      kind: 'align',
      alignment,
      fill: 'zero',
      maxSkip: undefined,
      bits: this.bits,
      ...position,
    });
    this.statements.push({ kind: 'label', name: name.text, ...position });
    this.statements.push({ kind: 'reserve', unit: 1, count: size, fill: undefined, ...position });
    this.switchSection(returnTo, position);
  }

  private parseInstruction(cursor: TokenCursor): Statement {
    const start = cursor.current!;
    const prefixes: string[] = [];
    let mnemonic = '';
    while (!cursor.atEnd) {
      const token = cursor.current!;
      const word = token.text.toLowerCase();
      if (token.kind !== 'identifier') break;
      if (PREFIX_WORDS.has(word) && !this.options.isMnemonic(word)) {
        cursor.index++;
        prefixes.push(word);
        continue;
      }
      require(this.options.isMnemonic(word), `unknown instruction \`${token.text}\``, token.column);
      cursor.index++;
      mnemonic = word;
      break;
    }
    if (mnemonic === '') {
      require(prefixes.length > 0, 'expected an instruction', start.column);
      mnemonic = prefixes.pop()!;
    }
    const operands: Operand[] = [];
    if (!cursor.atEnd) {
      do operands.push(this.parseOperand(cursor, BRANCH_MNEMONICS.test(mnemonic)));
      while (cursor.accept(','));
    }
    return {
      kind: 'instruction',
      mnemonic,
      prefixes,
      operands,
      bits: this.bits,
      defaultRelative: false,
      line: this.line,
      column: start.column,
    };
  }

  private parseOperand(cursor: TokenCursor, isBranch: boolean): Operand {
    // `jmp [QWORD PTR .L4[0+rax*8]]` (gcc -fno-pie jump tables): brackets around a whole sized operand.
    const wrapped =
      cursor.tokens[cursor.index + 2]?.text.toLowerCase() === 'ptr' && cursor.isPunctuation('[');
    if (wrapped) {
      cursor.index++;
      const inner = this.parseOperandInside(cursor, isBranch);
      cursor.expect(']', '`]` closing the operand');
      return inner;
    }
    return this.parseOperandInside(cursor, isBranch);
  }

  private parseOperandInside(cursor: TokenCursor, isBranch: boolean): Operand {
    const column = cursor.column;
    let size: MemoryOperand['size'];
    const sizeToken = cursor.current;
    const keywordSize =
      sizeToken?.kind === 'identifier' ? GNU_SIZE_KEYWORDS.get(sizeToken.text.toLowerCase()) : undefined;
    if (keywordSize !== undefined && cursor.tokens[cursor.index + 1]?.text.toLowerCase() === 'ptr') {
      size = keywordSize;
      cursor.index += 2;
    }
    if (cursor.acceptWord('offset')) {
      if (cursor.acceptWord('flat')) cursor.expect(':', '`:` after FLAT');
      const expression = parseExpression(cursor, this.syntax);
      return { kind: 'immediate', expression, size: undefined, strict: false, distance: undefined, column };
    }
    let segment: MemoryOperand['segment'];
    const first = cursor.current;
    require(first !== undefined, 'expected an operand', cursor.column);
    if (
      first.kind === 'identifier' &&
      asSegmentRegister(first.text) &&
      cursor.tokens[cursor.index + 1]?.text === ':'
    ) {
      segment = asSegmentRegister(first.text);
      cursor.index += 2;
    }
    if (first.kind === 'identifier' && segment === undefined && size === undefined) {
      const register = asRegister(first.text);
      const after = cursor.tokens[cursor.index + 1];
      if (register && (!after || after.text === ',')) {
        cursor.index++;
        return { kind: 'register', name: register, column, argument: { kind: 'register', name: register } };
      }
    }
    const [expression, sawBracket] = this.parseAddressExpression(cursor);
    const terms = splitAddress(expression);
    const isMemory =
      sawBracket ||
      segment !== undefined ||
      size !== undefined ||
      terms.registers.length > 0 ||
      (!isBranch && this.mentionsNonConstantSymbol(expression));
    if (!isMemory) {
      return { kind: 'immediate', expression, size: undefined, strict: false, distance: undefined, column };
    }
    const usesRip = terms.registers.some((term) => term.name === 'rip' || term.name === 'eip');
    const address = usesRip
      ? { ...terms, registers: terms.registers.filter((term) => term.name !== 'rip' && term.name !== 'eip') }
      : terms;
    return {
      kind: 'memory',
      size,
      segment,
      address,
      relative: usesRip ? 'rel' : 'abs',
      noSplit: true,
      displacementSize: undefined,
      column,
    };
  }

  /**
   * Parses `disp[base+index*scale]`, `[…]`, `sym[rip+4]` as one sum: GNU as treats `a[b]` as `a+b`.
   * Returns the expression and whether brackets were used.
   */
  private parseAddressExpression(cursor: TokenCursor): [Expression, boolean] {
    const rewritten: Token[] = [];
    let sawBracket = false;
    let depth = 0;
    const start = cursor.index;
    while (!cursor.atEnd) {
      const token = cursor.current!;
      if (depth === 0 && token.kind === 'punctuation' && (token.text === ',' || token.text === ']')) break;
      cursor.index++;
      if (token.kind === 'punctuation' && token.text === '[') {
        sawBracket = true;
        depth++;
        const previous = rewritten[rewritten.length - 1];
        const continuesTerm = previous && (previous.kind !== 'punctuation' || previous.text === ')');
        if (continuesTerm) rewritten.push(punctuation('+', token.column));
        rewritten.push(punctuation('(', token.column));
      } else if (token.kind === 'punctuation' && token.text === ']') {
        depth--;
        rewritten.push(punctuation(')', token.column));
      } else rewritten.push(token);
    }
    require(depth === 0, 'unbalanced `[` `]` in the memory operand', cursor.tokens[start]?.column ??
      cursor.column);
    const inner = new TokenCursor(rewritten, cursor.endColumn);
    const expression = parseExpression(inner, this.addressSyntax);
    if (!inner.atEnd)
      throw new SourceError(`unexpected ${inner.describeCurrent()} in the operand`, inner.column);
    return [expression, sawBracket];
  }

  private mentionsNonConstantSymbol(expression: Expression): boolean {
    switch (expression.kind) {
      case 'symbol':
        return !this.constants.has(expression.name);
      case 'here':
        return true;
      case 'unary':
        return this.mentionsNonConstantSymbol(expression.operand);
      case 'binary':
        return (
          this.mentionsNonConstantSymbol(expression.left) || this.mentionsNonConstantSymbol(expression.right)
        );
      default:
        return false;
    }
  }
}
