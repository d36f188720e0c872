/**
 * How commands that take code (`exec`, `run`, `trace`, `lift`) get it: `--hex HEX`, `--asm TEXT`,
 * `--bin FILE` (raw bytes) or a positional source FILE (assembled, dialect detected or `--syntax`).
 */
import { readFileSync } from 'node:fs';
import { assemble } from '../assembler/assemble.js';
import { formatDiagnostic } from '../assembler/diagnostics.js';
import { UsageError } from './command.js';

/** Option definitions shared by the commands that take code (node:util parseArgs format). */
export const codeOptions = {
  hex: { type: 'string' },
  asm: { type: 'string', multiple: true },
  bin: { type: 'string' },
  mode: { type: 'string', default: '64' },
  syntax: { type: 'string' },
  origin: { type: 'string' },
} as const;

/** Code to run or lift, with where it goes. */
export interface CodeInput {
  readonly bytes: Uint8Array;
  readonly origin: bigint;
  readonly mode: 32 | 64;
  /** Symbols, when the code was assembled. */
  readonly symbols: ReadonlyMap<string, bigint>;
}

/** Thrown for code that cannot be read or assembled: the message lists every problem. */
export class CodeInputError extends Error {
  override readonly name = 'CodeInputError';
}

/** Parses a number given on the command line: decimal, 0x hex, 0b binary, or negative decimal. */
export function parseNumber(text: string, what: string): bigint {
  const trimmed = text.trim().replace(/_/g, '');
  if (!/^-?(0x[0-9a-f]+|0b[01]+|0o[0-7]+|\d+)$/i.test(trimmed)) {
    throw new UsageError(`${what}: '${text}' is not a number (use decimal or 0x hex)`);
  }
  return trimmed.startsWith('-') ? -BigInt(trimmed.slice(1)) : BigInt(trimmed);
}

/** Parses hexadecimal bytes, allowing spaces (`"f7 f1"`, `f7f1`). */
export function parseHexBytes(text: string, what = '--hex'): Uint8Array {
  const compact = text.replace(/\s+/g, '').replace(/^0x/i, '');
  if (!/^([0-9a-f]{2})*$/i.test(compact)) {
    throw new UsageError(`${what}: '${text}' is not hex bytes (pairs of hex digits, e.g. f7f1)`);
  }
  return Uint8Array.from(compact.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

/** Parses `--mode` for commands that execute (32 or 64). */
export function parseExecutionMode(text: string): 32 | 64 {
  if (text !== '32' && text !== '64') throw new UsageError(`--mode must be 32 or 64, not '${text}'`);
  return Number(text) as 32 | 64;
}

/** Reads the code from the parsed options and positionals. */
export function readCode(
  values: { hex?: string; asm?: string[]; bin?: string; mode?: string; syntax?: string; origin?: string },
  positionals: string[],
  defaultOrigin: bigint,
): CodeInput {
  const mode = parseExecutionMode(values.mode ?? '64');
  const origin = values.origin ? parseNumber(values.origin, '--origin') : defaultOrigin;
  const sources = [values.hex, values.asm, values.bin, positionals[0]].filter((x) => x !== undefined).length;
  if (sources !== 1)
    throw new UsageError('give the code exactly once: --hex HEX, --asm TEXT, --bin FILE or a source FILE');
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  if (values.syntax !== undefined && values.syntax !== 'nasm' && values.syntax !== 'gnu') {
    throw new UsageError(`--syntax must be nasm or gnu, not '${values.syntax}'`);
  }
  if (values.hex !== undefined) return { bytes: parseHexBytes(values.hex), origin, mode, symbols: new Map() };
  if (values.bin !== undefined) return { bytes: readFile(values.bin), origin, mode, symbols: new Map() };
  const source = values.asm !== undefined ? values.asm.join('\n') : readFile(positionals[0]).toString('utf8');
  const result = assemble(source, {
    mode,
    origin,
    syntax: (values.syntax as 'nasm' | 'gnu' | undefined) ?? 'auto',
  });
  if (result.errors.length > 0) {
    const name = values.asm !== undefined ? '--asm' : positionals[0];
    throw new CodeInputError(result.errors.map((error) => `${name}: ${formatDiagnostic(error)}`).join('\n'));
  }
  return {
    bytes: result.bytes,
    origin: result.bytes.length > 0 ? result.origin : origin,
    mode,
    symbols: new Map(result.symbols.map((symbol) => [symbol.name, symbol.value])),
  };
}

function readFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new CodeInputError(
      code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(error)})`,
    );
  }
}
