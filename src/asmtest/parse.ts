/**
 * Assembly test files (`vial test FILE.asm`): expectations written as comment directives in the source
 * itself. This module only reads the directives (browser-safe, no Node API); the CLI assembles the
 * code, sets the machine up with `vial exec`'s own option parsers and compares.
 *
 * ```
 * ; @mode 64
 * ; @set rdi=0x10 rsi=3
 * ; @expect rax=0x13 CF=0 ZF=0
 * ; @case divide by zero
 * ; @set rcx=0
 * ; @expect-fault #DE
 * ```
 * Directives before the first `@case` are defaults for every case; see docs/asm-tests.md.
 */
import type { FlagBit } from '../ir/expression.js';
import { registerInfo } from '../isa/registers.js';
import { type Stop, type StopReason, stopReasons, type UndefinedPolicy } from '../machine/machine.js';
import { MODELLED_FLAGS } from '../machine/snapshot.js';
import { Undefined, type UndefinedValue } from '../value/undefined.js';
import { Value } from '../value/value.js';

/** Where a directive or token is: 1-based line and column. */
export interface SourceLocation {
  readonly line: number;
  readonly column: number;
}

/** Something read from the file, with where it was. */
export interface Located<T> extends SourceLocation {
  readonly value: T;
  /** The token as written (for messages). */
  readonly text: string;
}

/**
 * One expected value: registers and flags as a `Value` of the register's width whose undefined bits
 * must be undefined (`?` digits, or `undefined` for every bit), memory as bytes where `Undefined`
 * marks a byte that must be undefined.
 */
export type AsmExpectation =
  | { readonly kind: 'register'; readonly name: string; readonly expected: Value }
  | { readonly kind: 'flag'; readonly flag: FlagBit; readonly expected: Value }
  | {
      readonly kind: 'memory';
      readonly address: bigint;
      readonly bytes: readonly (number | UndefinedValue)[];
    };

/** How a case must stop: a reason, and for faults the vector. */
export interface StopExpectation {
  readonly reason: StopReason;
  readonly fault: NonNullable<Stop['fault']> | null;
}

/** One test case: the shared code run from this state, with these expectations. */
export interface AsmTestCase {
  readonly name: string;
  /** The `@case` line (1 for the implicit single case). */
  readonly line: number;
  readonly mode: 32 | 64;
  readonly policy: UndefinedPolicy;
  /** `REG=VALUE` texts, as `vial exec --set` takes them. */
  readonly set: readonly Located<string>[];
  /** `ADDR:LEN[:rwx]` texts, as `vial exec --map` takes them. */
  readonly map: readonly Located<string>[];
  /** `ADDR=HEX` texts, as `vial exec --mem` takes them. */
  readonly mem: readonly Located<string>[];
  readonly maxSteps: Located<string> | null;
  readonly expectations: readonly Located<AsmExpectation>[];
  /** Null: the code must run to its end (or return from the top level). */
  readonly stop: Located<StopExpectation> | null;
}

/** A malformed directive: where, and what would have been accepted. */
export interface AsmTestError extends SourceLocation {
  readonly message: string;
}

/** The directives of one file. */
export interface AsmTestFile {
  readonly cases: readonly AsmTestCase[];
  readonly errors: readonly AsmTestError[];
}

const FAULTS = ['#DE', '#UD', '#GP', '#PF', '#BR', '#OF', '#BP'] as const;
const DIRECTIVES = [
  'case',
  'mode',
  'undefined',
  'set',
  'map',
  'mem',
  'max-steps',
  'expect',
  'expect-stop',
  'expect-fault',
];

/** A directive line: `; @name rest` or `# @name rest` (GNU syntax comments). */
const DIRECTIVE = /^(\s*(?:;|#)\s*)@([A-Za-z-]*)(.*)$/;

interface Draft {
  name: string;
  line: number;
  mode?: 32 | 64;
  policy?: UndefinedPolicy;
  set: Located<string>[];
  map: Located<string>[];
  mem: Located<string>[];
  maxSteps?: Located<string>;
  expectations: Located<AsmExpectation>[];
  stop?: Located<StopExpectation>;
}

const emptyDraft = (name: string, line: number): Draft => ({
  name,
  line,
  set: [],
  map: [],
  mem: [],
  expectations: [],
});

/** Whitespace-separated tokens of `text`, with their 1-based columns (text starts at `startColumn`). */
function tokens(text: string, startColumn: number): { text: string; column: number }[] {
  const found: { text: string; column: number }[] = [];
  for (const match of text.matchAll(/\S+/g))
    found.push({ text: match[0], column: startColumn + match.index });
  return found;
}

/** Thrown inside the parser for one token; becomes an {@link AsmTestError}. */
class TokenError extends Error {}

/**
 * An expected number for `width` bits: decimal (negative = two's complement), `0x` hex or `0b` binary
 * where a `?` digit must be undefined, or `undefined`/`?` for every bit undefined.
 */
export function parseExpectedValue(text: string, width: number): Value {
  const compact = text.replace(/_/g, '').toLowerCase();
  if (compact === 'undefined' || compact === '?') return Value.unknown(width);
  const all = (1n << BigInt(width)) - 1n;
  const digits = /^0x([0-9a-f?]+)$/.exec(compact) ?? /^0b([01?]+)$/.exec(compact);
  if (digits) {
    const bitsPerDigit = compact.startsWith('0x') ? 4 : 1;
    let bits = 0n;
    let mask = 0n;
    for (const digit of digits[1]) {
      bits <<= BigInt(bitsPerDigit);
      mask <<= BigInt(bitsPerDigit);
      if (digit === '?') mask |= (1n << BigInt(bitsPerDigit)) - 1n;
      else bits |= BigInt(Number.parseInt(digit, 16));
    }
    if ((bits | mask) & ~all)
      throw new TokenError(`'${text}' does not fit in ${width} bit${width === 1 ? '' : 's'}`);
    return Value.of(bits, width, mask);
  }
  if (!/^-?\d+$/.test(compact))
    throw new TokenError(
      `'${text}' is not an expected value: use decimal, 0x hex or 0b binary (a ? digit must be undefined), or undefined`,
    );
  const value = BigInt(compact);
  if (value < -(1n << BigInt(width - 1)) || value > all)
    throw new TokenError(`'${text}' does not fit in ${width} bit${width === 1 ? '' : 's'}`);
  return Value.of(value, width);
}

/** `aabb??cc`: hex bytes where `??` is a byte that must be undefined. */
function parseExpectedBytes(text: string): (number | UndefinedValue)[] {
  const compact = text.replace(/_/g, '').replace(/^0x/i, '');
  if (compact.length === 0 || !/^([0-9a-f]{2}|\?\?)+$/i.test(compact))
    throw new TokenError(
      `'${text}' is not bytes: pairs of hex digits, ?? for an undefined byte (e.g. 0011??ff)`,
    );
  return (compact.match(/../g) ?? []).map((pair) => (pair === '??' ? Undefined : Number.parseInt(pair, 16)));
}

/** One `KEY=VALUE` of `@expect`. */
function parseExpectation(token: string, mode: 32 | 64): AsmExpectation {
  const equals = token.indexOf('=');
  if (equals <= 0 || equals === token.length - 1)
    throw new TokenError(
      `'${token}': expected NAME=VALUE (a register, a flag or [ADDR]), e.g. rax=0x13, CF=0, [0x2000]=aabb`,
    );
  const key = token.slice(0, equals);
  const text = token.slice(equals + 1);
  const memory = /^\[(.+)\]$/.exec(key);
  if (memory) {
    const address = memory[1].replace(/_/g, '');
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(address))
      throw new TokenError(`'${key}': the address must be a number, e.g. [0x2000]`);
    return { kind: 'memory', address: BigInt(address), bytes: parseExpectedBytes(text) };
  }
  try {
    return parseRegisterOrFlag(key, text, mode);
  } catch (error) {
    if (error instanceof TokenError && error.message.startsWith(`'${text}'`))
      throw new TokenError(`${key}=${error.message}`);
    throw error;
  }
}

/** `KEY=VALUE` of `@expect` for a register or a flag. */
function parseRegisterOrFlag(key: string, text: string, mode: 32 | 64): AsmExpectation {
  const flag = key.toUpperCase() as FlagBit;
  if (MODELLED_FLAGS.includes(flag)) return { kind: 'flag', flag, expected: parseExpectedValue(text, 1) };
  const name = key.toLowerCase();
  if (name === 'rip' || name === 'eip')
    return { kind: 'register', name, expected: parseExpectedValue(text, mode) };
  const info = registerInfo(name);
  if (!info?.class.startsWith('gpr'))
    throw new TokenError(
      `'${key}' is not a general register, a flag (${MODELLED_FLAGS.join(', ')}) or [ADDR]`,
    );
  if (mode === 32 && (info.needsRex || info.width === 64))
    throw new TokenError(`register '${key}' does not exist in 32-bit mode`);
  return { kind: 'register', name, expected: parseExpectedValue(text, info.width) };
}

/** `@expect-stop REASON [#FAULT]` or `@expect-fault #FAULT`. */
function parseStop(directive: string, words: string[]): StopExpectation {
  const faultList = FAULTS.join(', ');
  if (directive === 'expect-fault') {
    const fault = FAULTS.find((name) => name === words[0]?.toUpperCase());
    if (!fault || words.length !== 1)
      throw new TokenError(`@expect-fault takes one fault vector (${faultList}), not '${words.join(' ')}'`);
    return { reason: 'fault', fault };
  }
  const reason = stopReasons.find((name) => name === words[0]);
  if (!reason || words.length > (reason === 'fault' ? 2 : 1))
    throw new TokenError(
      `@expect-stop takes a stop reason (${stopReasons.join(', ')}; fault may name a vector), not '${words.join(' ')}'`,
    );
  if (reason !== 'fault' || words.length === 1) return { reason, fault: null };
  const fault = FAULTS.find((name) => name === words[1].toUpperCase());
  if (!fault) throw new TokenError(`'${words[1]}' is not a fault vector: ${faultList}`);
  return { reason, fault };
}

/** Reads every directive of `source`; cases without `@case` get the name `defaultName`. */
export function parseAsmTest(source: string, defaultName = 'default'): AsmTestFile {
  const errors: AsmTestError[] = [];
  const defaults = emptyDraft(defaultName, 1);
  const drafts: Draft[] = [];
  let current = defaults;
  // @expect values depend on the mode (register widths), so they are read after the mode is known.
  const pendingExpects: { draft: Draft; words: { text: string; column: number }[]; line: number }[] = [];
  source.split(/\r?\n/).forEach((text, index) => {
    const line = index + 1;
    const match = DIRECTIVE.exec(text);
    if (!match) return;
    const [, prefix, directive, rest] = match;
    const directiveColumn = prefix.length + 1;
    const words = tokens(rest, directiveColumn + 1 + directive.length);
    const fail = (message: string, column = directiveColumn) => errors.push({ line, column, message });
    if (!DIRECTIVES.includes(directive)) {
      fail(`unknown directive '@${directive}': expected one of ${DIRECTIVES.map((d) => `@${d}`).join(', ')}`);
      return;
    }
    const single = (what: string): { text: string; column: number } | null => {
      if (words.length === 1) return words[0];
      fail(`@${directive} takes one ${what}`);
      return null;
    };
    try {
      switch (directive) {
        case 'case': {
          const name = rest.trim();
          if (name === '') fail('@case needs a name, e.g. ; @case divide by zero');
          current = emptyDraft(name || `line ${line}`, line);
          drafts.push(current);
          break;
        }
        case 'mode': {
          const word = single('mode: 32 or 64');
          if (!word) break;
          if (word.text !== '32' && word.text !== '64')
            fail(`@mode must be 32 or 64, not '${word.text}'`, word.column);
          else current.mode = Number(word.text) as 32 | 64;
          break;
        }
        case 'undefined': {
          const word = single('policy: zero, track or strict');
          if (!word) break;
          if (word.text !== 'zero' && word.text !== 'track' && word.text !== 'strict')
            fail(`@undefined must be zero, track or strict, not '${word.text}'`, word.column);
          else current.policy = word.text;
          break;
        }
        case 'max-steps': {
          const word = single('step count');
          if (word) current.maxSteps = { ...word, value: word.text, line };
          break;
        }
        case 'set':
        case 'map':
        case 'mem': {
          if (words.length === 0)
            fail(
              `@${directive} needs at least one ${directive === 'set' ? 'REG=VALUE' : directive === 'map' ? 'ADDR:LEN[:rwx]' : 'ADDR=HEX'}`,
            );
          for (const word of words) current[directive].push({ ...word, value: word.text, line });
          break;
        }
        case 'expect': {
          if (words.length === 0) fail('@expect needs at least one NAME=VALUE, e.g. ; @expect rax=0x13 CF=0');
          pendingExpects.push({ draft: current, words, line });
          break;
        }
        default: {
          const stop = parseStop(
            directive,
            words.map((word) => word.text),
          );
          current.stop = { value: stop, text: rest.trim(), line, column: directiveColumn };
        }
      }
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      fail(error.message);
    }
  });
  if (drafts.length === 0) drafts.push(defaults);
  const cases = drafts.map((draft) => finishCase(draft === defaults ? defaults : draft, defaults));
  // Read each @expect with the mode of every case it applies to (defaults apply to all cases).
  const expectationsOf = new Map<AsmTestCase, Located<AsmExpectation>[]>();
  for (const { draft, words, line } of pendingExpects) {
    const targets = draft === defaults ? cases : cases.filter((_, i) => drafts[i] === draft);
    const reported = new Set<string>();
    for (const target of targets) {
      for (const word of words) {
        try {
          const value = parseExpectation(word.text, target.mode);
          const list = expectationsOf.get(target) ?? [];
          list.push({ value, text: word.text, line, column: word.column });
          expectationsOf.set(target, list);
        } catch (error) {
          if (!(error instanceof TokenError)) throw error;
          const key = `${word.column}:${error.message}`;
          if (!reported.has(key)) errors.push({ line, column: word.column, message: error.message });
          reported.add(key);
        }
      }
    }
  }
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return {
    cases: cases.map((testCase) => ({
      ...testCase,
      expectations: (expectationsOf.get(testCase) ?? []).sort(
        (a, b) => a.line - b.line || a.column - b.column,
      ),
    })),
    errors,
  };
}

/** A case with the defaults filled in (lists: defaults first, then the case's own). */
function finishCase(draft: Draft, defaults: Draft): AsmTestCase {
  const own = draft === defaults ? emptyDraft(draft.name, draft.line) : draft;
  return {
    name: draft.name,
    line: draft.line,
    mode: own.mode ?? defaults.mode ?? 64,
    policy: own.policy ?? defaults.policy ?? 'track',
    set: [...defaults.set, ...own.set],
    map: [...defaults.map, ...own.map],
    mem: [...defaults.mem, ...own.mem],
    maxSteps: own.maxSteps ?? defaults.maxSteps ?? null,
    expectations: [],
    stop: own.stop ?? defaults.stop ?? null,
  };
}
