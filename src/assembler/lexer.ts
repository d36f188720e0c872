/**
 * Splits one source line into tokens. The two dialects differ in comment characters, identifier
 * characters, number syntax and string escapes; everything else (punctuation, columns) is shared.
 *
 * NASM: comments start with `;`; numbers may be `0x1F`, `1Fh`, `0b101`, `101b`, `17q`, `0o17`, with `_`
 * separators (NASM manual §3.4.1); strings are `'…'`, `"…"` (no escapes) or `` `…` `` (C escapes).
 * GNU: comments start with `#` (and `/* … *\/`); numbers are C-like (`0x`, `0b`, leading-0 octal);
 * `"…"` strings have C escapes; `'c` is a character constant (GNU as manual §3.6.1.1).
 */
import { SourceError } from './diagnostics.js';

/** The dialect of the source being assembled. */
export type Dialect = 'nasm' | 'gnu';

/** What a token is. */
export type TokenKind = 'identifier' | 'number' | 'string' | 'punctuation';

/** One token, with its 1-based column in the line. */
export interface Token {
  readonly kind: TokenKind;
  /** The text as written (for strings: without quotes, escapes resolved). */
  readonly text: string;
  readonly column: number;
  /** Numeric value of a number token (and of a GNU character constant). */
  readonly value: bigint | undefined;
  /** Bytes of a string token. */
  readonly bytes: Uint8Array | undefined;
}

const PUNCTUATION_PAIRS = new Set(['<<', '>>', '//', '%%', '==', '!=', '<=', '>=', '&&', '||', '<>']);
const PUNCTUATION_SINGLE = '[](),:+-*/%~!&|^<>={}';

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}
function isNasmIdentifierStart(code: number): boolean {
  return isLetter(code) || code === 95 /* _ */ || code === 46 /* . */ || code === 63 /* ? */;
}
function isNasmIdentifierPart(code: number): boolean {
  // letters, digits, _ $ # @ . ?
  return (
    isLetter(code) ||
    isDigit(code) ||
    code === 95 ||
    code === 36 ||
    code === 35 ||
    code === 64 ||
    code === 46 ||
    code === 63
  );
}
function isGnuIdentifierStart(code: number): boolean {
  return isLetter(code) || code === 95 || code === 46 || code === 36;
}
function isGnuIdentifierPart(code: number): boolean {
  return isLetter(code) || isDigit(code) || code === 95 || code === 46 || code === 36 || code === 64;
}

const textEncoder = new TextEncoder();

function parseDigits(digits: string, radix: number, original: string, column: number): bigint {
  if (digits.length === 0) throw new SourceError(`invalid number \`${original}\``, column);
  const valid =
    radix === 16 ? /^[0-9a-f]+$/ : radix === 10 ? /^[0-9]+$/ : radix === 8 ? /^[0-7]+$/ : /^[01]+$/;
  if (!valid.test(digits)) {
    throw new SourceError(`invalid number \`${original}\` (not a base-${radix} number)`, column);
  }
  if (radix === 10) return BigInt(digits);
  const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : '0b';
  return BigInt(prefix + digits);
}

/** Value of a NASM numeric literal (NASM manual §3.4.1). */
export function parseNasmNumber(text: string, column: number): bigint {
  const lower = text.toLowerCase().replace(/_/g, '');
  if (lower.startsWith('$')) return parseDigits(lower.slice(1), 16, text, column);
  if (/^[0-9]+$/.test(lower)) return BigInt(lower);
  const prefixes: Record<string, number> = { x: 16, h: 16, d: 10, t: 10, o: 8, q: 8, b: 2, y: 2 };
  const suffixRadix = prefixes[lower[lower.length - 1]];
  // A suffix wins when the rest is valid in that radix (`0bh` is hex 0xB, `101b` is binary 5).
  if (suffixRadix !== undefined && lower[lower.length - 1] !== 'x') {
    const body = lower.slice(0, -1);
    const radixDigits =
      suffixRadix === 16
        ? /^[0-9a-f]+$/
        : suffixRadix === 10
          ? /^[0-9]+$/
          : suffixRadix === 8
            ? /^[0-7]+$/
            : /^[01]+$/;
    if (radixDigits.test(body)) return parseDigits(body, suffixRadix, text, column);
  }
  if (lower[0] === '0' && lower.length > 2) {
    const prefixRadix = prefixes[lower[1]];
    if (prefixRadix !== undefined) return parseDigits(lower.slice(2), prefixRadix, text, column);
  }
  throw new SourceError(`invalid number \`${text}\``, column);
}

/** Value of a GNU as numeric literal (GNU as manual §3.6.2.1). */
export function parseGnuNumber(text: string, column: number): bigint {
  const lower = text.toLowerCase();
  if (lower.startsWith('0x')) return parseDigits(lower.slice(2), 16, text, column);
  if (lower.startsWith('0b')) return parseDigits(lower.slice(2), 2, text, column);
  if (lower.length > 1 && lower[0] === '0') return parseDigits(lower.slice(1), 8, text, column);
  return parseDigits(lower, 10, text, column);
}

const ESCAPES: Record<string, number> = {
  n: 10,
  t: 9,
  r: 13,
  '0': 0,
  a: 7,
  b: 8,
  f: 12,
  v: 11,
  e: 27,
  '\\': 92,
  '"': 34,
  "'": 39,
  '`': 96,
  '?': 63,
};

/**
 * Reads a quoted string starting at `start` (the opening quote). Returns the bytes and the index after
 * the closing quote. `escapes` turns on C escapes (`\n`, `\x41`, `\101`).
 */
function readString(line: string, start: number, escapes: boolean, column: number): [Uint8Array, number] {
  const quote = line[start];
  const bytes: number[] = [];
  let index = start + 1;
  while (index < line.length) {
    const char = line[index];
    if (char === quote) return [Uint8Array.from(bytes), index + 1];
    if (escapes && char === '\\' && index + 1 < line.length) {
      const next = line[index + 1];
      if (next === 'x' || next === 'X') {
        const match = /^[0-9a-fA-F]{1,2}/.exec(line.slice(index + 2));
        if (!match) throw new SourceError('invalid `\\x` escape in string', column);
        bytes.push(Number.parseInt(match[0], 16));
        index += 2 + match[0].length;
        continue;
      }
      const octal = /^[0-7]{1,3}/.exec(line.slice(index + 1));
      if (octal) {
        bytes.push(Number.parseInt(octal[0], 8) & 0xff);
        index += 1 + octal[0].length;
        continue;
      }
      const code = ESCAPES[next];
      bytes.push(code ?? next.charCodeAt(0));
      index += 2;
      continue;
    }
    for (const byte of textEncoder.encode(char)) bytes.push(byte);
    index += 1;
  }
  throw new SourceError(`unterminated string: missing closing ${quote}`, column);
}

/** Little-endian value of a NASM character constant such as `'ab'` (NASM manual §3.4.3). */
export function characterConstantValue(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let index = Math.min(bytes.length, 8) - 1; index >= 0; index--)
    value = (value << 8n) | BigInt(bytes[index]);
  return value;
}

/**
 * Tokenizes one line (without its newline). Comments are dropped. Throws {@link SourceError} for a
 * malformed number or string.
 */
export function tokenizeLine(line: string, dialect: Dialect): Token[] {
  const tokens: Token[] = [];
  const nasm = dialect === 'nasm';
  const length = line.length;
  let index = 0;
  while (index < length) {
    const code = line.charCodeAt(index);
    if (code === 32 || code === 9 || code === 13 || code === 12) {
      index++;
      continue;
    }
    const column = index + 1;
    if (nasm ? code === 59 /* ; */ : code === 35 /* # */) break;
    if (!nasm && code === 47 /* / */ && line.charCodeAt(index + 1) === 42 /* * */) {
      const end = line.indexOf('*/', index + 2);
      if (end < 0) throw new SourceError('unterminated comment: missing */', column);
      index = end + 2;
      continue;
    }
    if (isDigit(code) || (nasm && code === 36 && isDigit(line.charCodeAt(index + 1)))) {
      let end = index + 1;
      while (end < length) {
        const next = line.charCodeAt(end);
        if (!(isDigit(next) || isLetter(next) || next === 95)) break;
        end++;
      }
      if (line.charCodeAt(end) === 46 && isDigit(line.charCodeAt(end + 1))) {
        throw new SourceError('floating-point constants are not supported', column);
      }
      const text = line.slice(index, end);
      const value = nasm ? parseNasmNumber(text, column) : parseGnuNumber(text, column);
      tokens.push({ kind: 'number', text, column, value, bytes: undefined });
      index = end;
      continue;
    }
    const identifierStart = nasm ? isNasmIdentifierStart(code) : isGnuIdentifierStart(code);
    // NASM: `$name` escapes an identifier that would otherwise be a keyword; `$` and `$$` alone are positions.
    if (identifierStart || (nasm && code === 36)) {
      let end = index + 1;
      if (nasm && code === 36 && line.charCodeAt(end) === 36) end++;
      while (
        end < length &&
        (nasm ? isNasmIdentifierPart(line.charCodeAt(end)) : isGnuIdentifierPart(line.charCodeAt(end)))
      ) {
        end++;
      }
      let text = line.slice(index, end);
      if (nasm && code === 36 && text !== '$' && text !== '$$') text = text.slice(1);
      tokens.push({ kind: 'identifier', text, column, value: undefined, bytes: undefined });
      index = end;
      continue;
    }
    if (code === 34 /* " */ || code === 39 /* ' */ || code === 96 /* ` */) {
      if (!nasm && code === 39) {
        // GNU character constant: 'c (optionally closed by a second quote).
        const [bytes, after] = readCharacterConstant(line, index, column);
        tokens.push({
          kind: 'number',
          text: line.slice(index, after),
          column,
          value: BigInt(bytes),
          bytes: undefined,
        });
        index = after;
        continue;
      }
      const escapes = !nasm || code === 96;
      const [bytes, after] = readString(line, index, escapes, column);
      tokens.push({
        kind: 'string',
        text: line.slice(index + 1, after - 1),
        column,
        value: undefined,
        bytes,
      });
      index = after;
      continue;
    }
    const pair = line.slice(index, index + 2);
    if (PUNCTUATION_PAIRS.has(pair)) {
      tokens.push({ kind: 'punctuation', text: pair, column, value: undefined, bytes: undefined });
      index += 2;
      continue;
    }
    const char = line[index];
    if (PUNCTUATION_SINGLE.includes(char)) {
      tokens.push({ kind: 'punctuation', text: char, column, value: undefined, bytes: undefined });
      index++;
      continue;
    }
    throw new SourceError(`unexpected character \`${char}\``, column);
  }
  return tokens;
}

function readCharacterConstant(line: string, start: number, column: number): [number, number] {
  let index = start + 1;
  if (index >= line.length) throw new SourceError('character constant is missing its character', column);
  let value: number;
  if (line[index] === '\\') {
    const [bytes, after] = readString(`'${line.slice(index, index + 4)}'`, 0, true, column);
    value = bytes[0] ?? 0;
    index += after - 2;
  } else {
    value = line.charCodeAt(index);
    index++;
  }
  if (line[index] === "'") index++;
  return [value, index];
}
