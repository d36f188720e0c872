/**
 * The assembler's entry point: source text → bytes, sections, symbols, listing and errors.
 */
import { isKnownMnemonic } from '../encoder/index.js';
import { type AssemblyDiagnostic, AssemblyError } from './diagnostics.js';
import { parseGnu } from './gnu-parser.js';
import { type AssembledSymbol, layOut, type StatementPlacement } from './layout.js';
import type { Dialect } from './lexer.js';
import { parseNasm } from './nasm-parser.js';
import { type AssembledSection, isNobitsSection } from './sections.js';
import type { Bits } from './statements.js';

/** Options of {@link assemble}. */
export interface AssembleOptions {
  /** Initial mode, 16/32/64 (default 64); `bits`/`.code32` in the source change it. */
  readonly mode?: Bits;
  /** Dialect; `'auto'` (default) picks GNU when the source says `.intel_syntax`, else NASM. */
  readonly syntax?: Dialect | 'auto';
  /** Address of the first section (default 0); NASM `org` overrides it. */
  readonly origin?: number | bigint;
  /** Fixed start addresses for sections by name, as a linker script would place them. */
  readonly sectionAddresses?: Readonly<Record<string, number | bigint>>;
  /** Produce a listing (default false). */
  readonly listing?: boolean;
}

/** The result of {@link assemble}: on error, `errors` is non-empty and `bytes` is empty. */
export interface AssemblyResult {
  readonly dialect: Dialect;
  /** Flat image: the progbits sections from the lowest address on, gaps zero-filled (empty on error). */
  readonly bytes: Uint8Array;
  /** Address of `bytes[0]`. */
  readonly origin: bigint;
  readonly sections: readonly AssembledSection[];
  readonly symbols: readonly AssembledSymbol[];
  /** Listing (line, address, bytes, source) when requested. */
  readonly listing: string | undefined;
  readonly errors: readonly AssemblyDiagnostic[];
}

/** `gnu` when the source declares `.intel_syntax` (or `.att_syntax`), otherwise `nasm`. */
export function detectDialect(source: string): Dialect {
  return /^\s*\.(intel|att)_syntax\b/m.test(source) ? 'gnu' : 'nasm';
}

/** Largest gap between sections that the flat image fills with zeros. */
const MAX_FLAT_IMAGE = 64 * 1024 * 1024;

/**
 * Assembles `source`. Never throws for bad input: every problem found is in `errors`, each with its
 * line, column and message; on error no bytes are returned.
 */
export function assemble(source: string, options: AssembleOptions = {}): AssemblyResult {
  const dialect =
    options.syntax === undefined || options.syntax === 'auto' ? detectDialect(source) : options.syntax;
  const parserOptions = { bits: options.mode ?? 64, isMnemonic: isKnownMnemonic };
  const lines = source.split('\n');
  const parsed = dialect === 'nasm' ? parseNasm(lines, parserOptions) : parseGnu(lines, parserOptions);
  const pinned = new Map(
    Object.entries(options.sectionAddresses ?? {}).map(([name, address]) => [name, BigInt(address)]),
  );
  const layout = layOut(parsed.source, {
    origin: BigInt(options.origin ?? 0),
    pinnedSections: pinned,
    lines,
  });
  const errors = [...parsed.diagnostics, ...layout.diagnostics].sort(
    (a, b) => a.line - b.line || a.column - b.column,
  );
  const sections = layout.sectionOrder.map((extent) => {
    const nobits = isNobitsSection(extent.name);
    return {
      name: extent.name,
      address: layout.sectionAddresses.get(extent.name) ?? 0n,
      bytes: nobits ? new Uint8Array(0) : layout.sectionContents(extent.name),
      nobits,
      size: Number(extent.size),
      alignment: extent.alignment,
    };
  });
  const symbols = layout.symbols;
  const listing = options.listing ? buildListing(layout.placements(), lines) : undefined;
  if (errors.length > 0) {
    return { dialect, bytes: new Uint8Array(0), origin: 0n, sections, symbols, listing, errors };
  }
  const progbits = sections.filter((section) => !section.nobits && section.bytes.length > 0);
  let origin = progbits.length > 0 ? progbits[0].address : BigInt(options.origin ?? 0);
  let end = origin;
  for (const section of progbits) {
    if (section.address < origin) origin = section.address;
    const sectionEnd = section.address + BigInt(section.bytes.length);
    if (sectionEnd > end) end = sectionEnd;
  }
  if (end - origin > BigInt(MAX_FLAT_IMAGE)) {
    const error = {
      line: 1,
      column: 1,
      message: `sections span ${end - origin} bytes: too far apart for a flat image`,
    };
    return { dialect, bytes: new Uint8Array(0), origin, sections, symbols, listing, errors: [error] };
  }
  const bytes = new Uint8Array(Number(end - origin));
  for (const section of progbits) bytes.set(section.bytes, Number(section.address - origin));
  return { dialect, bytes, origin, sections, symbols, listing, errors };
}

/** Like {@link assemble}, but throws an {@link AssemblyError} carrying every error. */
export function assembleOrThrow(source: string, options: AssembleOptions = {}): AssemblyResult {
  const result = assemble(source, options);
  if (result.errors.length > 0) throw new AssemblyError(result.errors);
  return result;
}

function hex(value: bigint, width: number): string {
  return value.toString(16).toUpperCase().padStart(width, '0');
}

/** Listing: one row per source line that produced something: line, address, bytes, source. */
function buildListing(placements: readonly StatementPlacement[], lines: readonly string[]): string {
  const rows: string[] = [];
  const byLine = new Map<number, StatementPlacement[]>();
  for (const placement of placements) {
    const list = byLine.get(placement.statement.line);
    if (list) list.push(placement);
    else byLine.set(placement.statement.line, [placement]);
  }
  const wide = placements.some((placement) => placement.address > 0xffffffffn);
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const here = byLine.get(line) ?? [];
    const emitted = here.filter((placement) => placement.size > 0);
    const first = emitted[0] ?? here[0];
    const address = first ? hex(first.address, wide ? 16 : 8) : ' '.repeat(wide ? 16 : 8);
    const bytes = emitted.flatMap((placement) => (placement.bytes ? [...placement.bytes] : []));
    const shown = bytes
      .slice(0, 12)
      .map((byte) => byte.toString(16).toUpperCase().padStart(2, '0'))
      .join(' ');
    const more =
      bytes.length > 12
        ? '…'
        : emitted.some((placement) => !placement.bytes)
          ? `<res ${emitted.reduce((sum, p) => sum + p.size, 0)}>`
          : '';
    rows.push(`${String(line).padStart(6)}  ${address}  ${(shown + more).padEnd(38)}  ${lines[index]}`);
  }
  return `${rows.join('\n')}\n`;
}
