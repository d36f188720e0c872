/**
 * Assembly-time expressions: their syntax tree, a parser for both dialects' operator precedence, and
 * an evaluator that also tracks whether a value is an address (relocatable) or a plain number.
 *
 * NASM precedence (NASM manual §3.5), lowest first: `|`, `^`, `&`, `<< >>`, `+ -`, `* / // % %%`, unary.
 * GNU as precedence (GNU as manual §6.2.4), lowest first: `&& ||`; `+ - == != <> < > <= >=`;
 * `| & ^ !`; `* / % << >>`; unary.
 */
import { isRegisterName, type RegisterName } from '../isa/registers.js';
import { SourceError } from './diagnostics.js';
import type { Dialect, Token } from './lexer.js';

/** Unary operators. */
export type UnaryOperator = '-' | '+' | '~' | '!';
/** Binary operators (`//` and `%%` are NASM's signed division and remainder). */
export type BinaryOperator =
  | '+'
  | '-'
  | '*'
  | '/'
  | '//'
  | '%'
  | '%%'
  | '<<'
  | '>>'
  | '&'
  | '|'
  | '^'
  | '!'
  | '&&'
  | '||'
  | '=='
  | '!='
  | '<'
  | '>'
  | '<='
  | '>=';

/** An expression as parsed; symbols are already qualified (NASM local labels carry their parent's name). */
export type Expression =
  | { readonly kind: 'number'; readonly value: bigint }
  | { readonly kind: 'symbol'; readonly name: string; readonly column: number }
  /** The address of the current statement (`$` in NASM, `.` in GNU as). */
  | { readonly kind: 'here' }
  /** The start of the current section (NASM `$$`). */
  | { readonly kind: 'sectionStart' }
  /** A register; only meaningful inside a memory operand, where it becomes a base or index. */
  | { readonly kind: 'register'; readonly name: RegisterName; readonly column: number }
  | { readonly kind: 'unary'; readonly operator: UnaryOperator; readonly operand: Expression }
  | {
      readonly kind: 'binary';
      readonly operator: BinaryOperator;
      readonly left: Expression;
      readonly right: Expression;
      readonly column: number;
    };

/** The value of an expression. */
export interface ExpressionValue {
  readonly value: bigint;
  /**
   * How many label addresses the value contains (1 for `label + 4`, 0 for `end - start` or a number).
   * Assemblers pick full-width fields for relocatable values where their object format needs it.
   */
  readonly relocation: number;
  /** False when a symbol was not yet defined in this pass (the value is then a guess, 0). */
  readonly known: boolean;
  /** True when a symbol used was defined after the use, in source order (GNU as sizes such fields wide). */
  readonly forward: boolean;
  /** The section of the label a relocatable value is based on (`label + 4`), when there is one. */
  readonly section?: string;
}

/** What the evaluator needs from the assembler. */
export interface EvaluationContext {
  /** The value of a symbol; `known: false` when it is not (yet) defined. */
  symbol(name: string, column: number): ExpressionValue;
  /** Address of the current statement. */
  here(): bigint;
  /** Start address of the current section. */
  sectionStart(): bigint;
}

/** A cursor over a line's tokens, shared by the parsers. */
export class TokenCursor {
  index = 0;
  constructor(
    readonly tokens: readonly Token[],
    /** Column just past the end of the line, for "expected … at end of line" messages. */
    readonly endColumn: number,
  ) {}

  get current(): Token | undefined {
    return this.tokens[this.index];
  }
  get atEnd(): boolean {
    return this.index >= this.tokens.length;
  }
  get column(): number {
    return this.current?.column ?? this.endColumn;
  }
  next(): Token {
    const token = this.tokens[this.index++];
    if (!token) throw new SourceError('unexpected end of line', this.endColumn);
    return token;
  }
  /** True (and consumes it) when the current token is the punctuation `text`. */
  accept(text: string): boolean {
    const token = this.current;
    if (token && token.kind === 'punctuation' && token.text === text) {
      this.index++;
      return true;
    }
    return false;
  }
  /** True (and consumes it) when the current token is the identifier `word` (case-insensitive). */
  acceptWord(word: string): boolean {
    const token = this.current;
    if (token && token.kind === 'identifier' && token.text.toLowerCase() === word) {
      this.index++;
      return true;
    }
    return false;
  }
  isPunctuation(text: string): boolean {
    const token = this.current;
    return token !== undefined && token.kind === 'punctuation' && token.text === text;
  }
  expect(text: string, what: string): void {
    if (!this.accept(text))
      throw new SourceError(`expected ${what} but found ${this.describeCurrent()}`, this.column);
  }
  describeCurrent(): string {
    const token = this.current;
    if (!token) return 'end of line';
    return token.kind === 'string' ? `string "${token.text}"` : `\`${token.text}\``;
  }
}

/** How the parser treats identifiers. */
export interface ExpressionSyntax {
  readonly dialect: Dialect;
  /** Turns a written symbol name into its table name (NASM `.loop` → `main.loop`). */
  qualify(name: string): string;
  /** Whether register names are allowed (inside `[...]`). */
  readonly allowRegisters: boolean;
}

/** Binary operators by precedence (higher binds tighter), per dialect. */
function precedenceTable(levels: readonly (readonly string[])[]): ReadonlyMap<string, number> {
  return new Map(
    levels.flatMap((operators, level) => operators.map((operator) => [operator, level + 1] as const)),
  );
}

const NASM_PRECEDENCE = precedenceTable([
  ['||'],
  ['&&'],
  ['==', '!=', '<>', '<', '>', '<=', '>='],
  ['|'],
  ['^'],
  ['&'],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '//', '%', '%%'],
]);
const GNU_PRECEDENCE = precedenceTable([
  ['&&', '||'],
  ['+', '-', '==', '!=', '<>', '<', '>', '<=', '>='],
  ['|', '&', '^', '!'],
  ['*', '/', '%', '<<', '>>'],
]);

/** Parses an expression at the cursor. */
export function parseExpression(cursor: TokenCursor, syntax: ExpressionSyntax): Expression {
  return parseBinary(cursor, syntax, 1);
}

/** Precedence climbing: operators of equal precedence associate to the left. */
function parseBinary(cursor: TokenCursor, syntax: ExpressionSyntax, minimum: number): Expression {
  const table = syntax.dialect === 'nasm' ? NASM_PRECEDENCE : GNU_PRECEDENCE;
  let left = parseUnary(cursor, syntax);
  for (;;) {
    const token = cursor.current;
    if (token?.kind !== 'punctuation') return left;
    const precedence = table.get(token.text);
    if (precedence === undefined || precedence < minimum) return left;
    cursor.index++;
    const right = parseBinary(cursor, syntax, precedence + 1);
    const operator = (token.text === '<>' ? '!=' : token.text) as BinaryOperator;
    left = { kind: 'binary', operator, left, right, column: token.column };
  }
}

function parseUnary(cursor: TokenCursor, syntax: ExpressionSyntax): Expression {
  const token = cursor.current;
  if (
    token &&
    token.kind === 'punctuation' &&
    (token.text === '-' || token.text === '+' || token.text === '~' || token.text === '!')
  ) {
    cursor.index++;
    const operand = parseUnary(cursor, syntax);
    if (operand.kind === 'number' && token.text === '-') return { kind: 'number', value: -operand.value };
    return { kind: 'unary', operator: token.text, operand };
  }
  return parsePrimary(cursor, syntax);
}

function parsePrimary(cursor: TokenCursor, syntax: ExpressionSyntax): Expression {
  const token = cursor.current;
  if (!token) throw new SourceError('expected an expression but found end of line', cursor.endColumn);
  if (token.kind === 'number') {
    cursor.index++;
    return { kind: 'number', value: token.value ?? 0n };
  }
  if (token.kind === 'string' && syntax.dialect === 'nasm') {
    cursor.index++;
    let value = 0n;
    const bytes = token.bytes ?? new Uint8Array();
    if (bytes.length > 8) throw new SourceError('character constant is longer than 8 bytes', token.column);
    for (let index = bytes.length - 1; index >= 0; index--) value = (value << 8n) | BigInt(bytes[index]);
    return { kind: 'number', value };
  }
  if (token.kind === 'punctuation' && token.text === '(') {
    cursor.index++;
    const inner = parseExpression(cursor, syntax);
    cursor.expect(')', '`)`');
    return inner;
  }
  if (token.kind === 'identifier') {
    cursor.index++;
    const text = token.text;
    if (syntax.dialect === 'nasm' && text === '$') return { kind: 'here' };
    if (syntax.dialect === 'nasm' && text === '$$') return { kind: 'sectionStart' };
    if (syntax.dialect === 'gnu' && text === '.') return { kind: 'here' };
    const lower = text.toLowerCase();
    if (isRegisterName(lower)) {
      if (!syntax.allowRegisters) {
        throw new SourceError(`register \`${text}\` is not allowed in this expression`, token.column);
      }
      return { kind: 'register', name: lower, column: token.column };
    }
    return { kind: 'symbol', name: syntax.qualify(text), column: token.column };
  }
  throw new SourceError(`expected an expression but found ${cursor.describeCurrent()}`, token.column);
}

const ABSOLUTE_ZERO: ExpressionValue = { value: 0n, relocation: 0, known: true, forward: false };

/** Evaluates an expression. Registers are an error here (memory operands split them off first). */
export function evaluateExpression(expression: Expression, context: EvaluationContext): ExpressionValue {
  switch (expression.kind) {
    case 'number':
      return { value: expression.value, relocation: 0, known: true, forward: false };
    case 'symbol':
      return context.symbol(expression.name, expression.column);
    case 'here':
      return { value: context.here(), relocation: 1, known: true, forward: false };
    case 'sectionStart':
      return { value: context.sectionStart(), relocation: 1, known: true, forward: false };
    case 'register':
      throw new SourceError(
        `register \`${expression.name}\` cannot be used as a number here`,
        expression.column,
      );
    case 'unary': {
      const operand = evaluateExpression(expression.operand, context);
      const value = applyUnary(expression.operator, operand.value);
      const relocation =
        expression.operator === '+'
          ? operand.relocation
          : expression.operator === '-'
            ? -operand.relocation
            : 0;
      return { value, relocation, known: operand.known, forward: operand.forward, section: operand.section };
    }
    case 'binary': {
      const left = evaluateExpression(expression.left, context);
      const right = evaluateExpression(expression.right, context);
      const known = left.known && right.known;
      const forward = left.forward || right.forward;
      let relocation = 0;
      if (expression.operator === '+') relocation = left.relocation + right.relocation;
      else if (expression.operator === '-') relocation = left.relocation - right.relocation;
      else if (left.relocation !== 0 || right.relocation !== 0) relocation = 1;
      if (
        !known &&
        (expression.operator === '/' ||
          expression.operator === '//' ||
          expression.operator === '%' ||
          expression.operator === '%%')
      ) {
        return { ...ABSOLUTE_ZERO, known: false, forward, relocation };
      }
      const value = applyBinary(expression.operator, left.value, right.value, expression.column);
      const section = relocation === 1 ? (left.relocation === 1 ? left.section : right.section) : undefined;
      return { value, relocation, known, forward, section };
    }
  }
}

function applyUnary(operator: UnaryOperator, value: bigint): bigint {
  switch (operator) {
    case '-':
      return -value;
    case '+':
      return value;
    case '~':
      return ~value;
    case '!':
      return value === 0n ? 1n : 0n;
  }
}

const MASK64 = (1n << 64n) - 1n;

function applyBinary(operator: BinaryOperator, left: bigint, right: bigint, column: number): bigint {
  switch (operator) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
    case '%': {
      if (right === 0n) throw new SourceError('division by zero', column);
      // Unsigned division on 64-bit values, as both NASM and GNU as do.
      const a = BigInt.asUintN(64, left);
      const b = BigInt.asUintN(64, right);
      return operator === '/' ? a / b : a % b;
    }
    case '//':
    case '%%': {
      if (right === 0n) throw new SourceError('division by zero', column);
      return operator === '//' ? left / right : left % right;
    }
    case '<<':
      return right >= 64n || right < 0n ? 0n : (left << right) & MASK64;
    case '>>':
      return right >= 64n || right < 0n ? 0n : BigInt.asUintN(64, left) >> right;
    case '&':
      return left & right;
    case '|':
      return left | right;
    case '^':
      return left ^ right;
    case '!':
      return left | ~right;
    case '&&':
      return left !== 0n && right !== 0n ? 1n : 0n;
    case '||':
      return left !== 0n || right !== 0n ? 1n : 0n;
    case '==':
      return left === right ? 1n : 0n;
    case '!=':
      return left !== right ? 1n : 0n;
    case '<':
      return left < right ? 1n : 0n;
    case '>':
      return left > right ? 1n : 0n;
    case '<=':
      return left <= right ? 1n : 0n;
    case '>=':
      return left >= right ? 1n : 0n;
  }
}

/** True when the expression mentions no symbol, `$` or `$$` (its value never changes between passes). */
export function isConstantExpression(expression: Expression): boolean {
  switch (expression.kind) {
    case 'number':
      return true;
    case 'unary':
      return isConstantExpression(expression.operand);
    case 'binary':
      return isConstantExpression(expression.left) && isConstantExpression(expression.right);
    default:
      return false;
  }
}

/** Value of an expression with no symbols; throws otherwise. */
export function constantValue(expression: Expression, column: number, what: string): bigint {
  if (!isConstantExpression(expression)) throw new SourceError(`${what} must be a constant number`, column);
  return evaluateExpression(expression, {
    symbol: () => ABSOLUTE_ZERO,
    here: () => 0n,
    sectionStart: () => 0n,
  }).value;
}

/** A memory address split into registers (each with its multiplier) and a displacement expression. */
export interface AddressTerms {
  readonly registers: readonly {
    readonly name: RegisterName;
    readonly multiplier: bigint;
    readonly column: number;
  }[];
  readonly displacement: Expression | null;
}

/**
 * Splits the expression inside `[...]` into register terms and a displacement, the way NASM does
 * (NASM manual §3.3: "any expression that is a linear combination of registers"): `rax*4 + rbx + 8`
 * gives rax×4, rbx×1 and 8, in the order written (a register written twice appears twice; NASM
 * adds such terms up, GNU as does not). A register multiplied by a non-constant, or two registers
 * multiplied together, is an error.
 */
export function splitAddress(expression: Expression): AddressTerms {
  const registers: { name: RegisterName; multiplier: bigint; column: number }[] = [];
  const rest: Expression[] = [];
  const visit = (node: Expression, multiplier: bigint): void => {
    if (node.kind === 'register') {
      registers.push({ name: node.name, multiplier, column: node.column });
      return;
    }
    if (!containsRegister(node)) {
      rest.push(
        multiplier === 1n
          ? node
          : {
              kind: 'binary',
              operator: '*',
              left: node,
              right: { kind: 'number', value: multiplier },
              column: 0,
            },
      );
      return;
    }
    if (node.kind === 'unary' && (node.operator === '-' || node.operator === '+')) {
      visit(node.operand, node.operator === '-' ? -multiplier : multiplier);
      return;
    }
    if (node.kind === 'binary' && (node.operator === '+' || node.operator === '-')) {
      visit(node.left, multiplier);
      visit(node.right, node.operator === '-' ? -multiplier : multiplier);
      return;
    }
    if (node.kind === 'binary' && node.operator === '*') {
      const [scaled, factor] = containsRegister(node.left)
        ? [node.left, node.right]
        : [node.right, node.left];
      if (containsRegister(factor))
        throw new SourceError('a register cannot be multiplied by a register', node.column);
      visit(scaled, multiplier * constantValue(factor, node.column, 'a register multiplier'));
      return;
    }
    const column = node.kind === 'binary' ? node.column : 0;
    throw new SourceError(
      'invalid effective address: registers may only be added, subtracted or scaled',
      column,
    );
  };
  visit(expression, 1n);
  let displacement: Expression | null = null;
  for (const term of rest) {
    displacement =
      displacement === null
        ? term
        : { kind: 'binary', operator: '+', left: displacement, right: term, column: 0 };
  }
  return { registers, displacement };
}

function containsRegister(expression: Expression): boolean {
  switch (expression.kind) {
    case 'register':
      return true;
    case 'unary':
      return containsRegister(expression.operand);
    case 'binary':
      return containsRegister(expression.left) || containsRegister(expression.right);
    default:
      return false;
  }
}
