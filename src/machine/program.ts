/**
 * Loading programs for tests: assemble source (or take bytes), find a free place for it, map each
 * section with the permissions a linker would give it, and remember the symbols so tests can name
 * functions and data instead of hard-coding addresses.
 */
import { assembleOrThrow } from '../assembler/assemble.js';
import type { Dialect } from '../assembler/lexer.js';
import { alignUp } from '../assembler/sections.js';
import { type Memory, PAGE_SIZE, Permission } from './memory.js';

/** Where programs go when the caller gives no address (the traditional ELF base; below 4 GiB for 32-bit code). */
export const DEFAULT_CODE_BASE = 0x400000n;

/** An address as tests write it: a bigint, or a number when that is exact. */
export type Address = bigint | number;

/** Options of `Machine.assemble`. */
export interface AssembleProgramOptions {
  /** Where the first section goes (default: the first free page from {@link DEFAULT_CODE_BASE} on). */
  readonly address?: Address;
  /** Source dialect (default: GNU when the source says `.intel_syntax`, else NASM). */
  readonly dialect?: Dialect;
}

/** Options of `Machine.loadBytes`. */
export interface LoadBytesOptions {
  /** Names for offsets into the bytes (e.g. from a linker map), so `call('name')` works. */
  readonly symbols?: Readonly<Record<string, number>>;
}

/** A program placed in guest memory: where it is and the addresses of its labels. */
export class LoadedProgram {
  constructor(
    /** Address of the first byte. */
    readonly address: bigint,
    /** Bytes from `address` to the end of the last section (including `.bss`). */
    readonly size: number,
    /** Label name → address (constants defined with `equ`/`.set` are not included). */
    readonly symbols: ReadonlyMap<string, bigint>,
  ) {}

  /** First address after the program. */
  get end(): bigint {
    return this.address + BigInt(this.size);
  }

  /** The address of label `name`; throws {@link SymbolNotFoundError} listing the known labels. */
  symbol(name: string): bigint {
    const address = this.symbols.get(name);
    if (address === undefined) throw new SymbolNotFoundError(name, [...this.symbols.keys()]);
    return address;
  }
}

/** Thrown when a test names a symbol that no loaded program defines. */
export class SymbolNotFoundError extends Error {
  override readonly name = 'SymbolNotFoundError';
  /** The known symbols, closest spelling first. */
  readonly known: readonly string[];

  constructor(
    /** The name that was asked for. */
    readonly symbolName: string,
    known: readonly string[],
  ) {
    const ranked = rankBySimilarity(symbolName, known);
    const shown = ranked.slice(0, 8).join(', ');
    const more = ranked.length > 8 ? `, … (${ranked.length - 8} more)` : '';
    super(
      ranked.length === 0
        ? `unknown symbol '${symbolName}': no program with symbols is loaded (use machine.assemble first)`
        : `unknown symbol '${symbolName}'; known symbols (closest first): ${shown}${more}`,
    );
    this.known = ranked;
  }
}

/** Levenshtein distance, case-insensitive (a typo in case is still the closest candidate). */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, index) => index);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[y.length];
}

/** `names` without duplicates, closest to `wanted` first (ties alphabetical). */
function rankBySimilarity(wanted: string, names: readonly string[]): string[] {
  return [...new Set(names)]
    .map((name) => ({ name, distance: editDistance(wanted, name) }))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .map((entry) => entry.name);
}

/** Converts a test's address to a bigint, refusing what cannot be an address. */
export function toAddress(address: Address, what = 'address'): bigint {
  if (typeof address === 'number' && !Number.isSafeInteger(address)) {
    throw new RangeError(`${what} ${address} is not an integer: pass a whole number or a bigint`);
  }
  const value = BigInt(address);
  if (value < 0n || value >= 2n ** 64n) throw new RangeError(`${what} ${address} is outside 0..2^64-1`);
  return value;
}

/**
 * The first page-aligned address at or above `from` where `length` bytes fit without touching a
 * mapped page, leaving one unmapped guard page before and after (a stray access next to the
 * block faults instead of silently hitting a neighbour).
 */
export function findFreeRange(memory: Memory, length: number, from: bigint, limit = 2n ** 47n): bigint {
  const page = BigInt(PAGE_SIZE);
  let candidate = alignUp(from, PAGE_SIZE);
  const span = alignUp(BigInt(Math.max(length, 1)), PAGE_SIZE);
  // Fast path (the allocator's usual case): nothing mapped from the guard before to the guard after.
  let free = candidate >= page && candidate + span + page <= limit;
  for (let address = candidate - page; free && address < candidate + span + page; address += page) {
    free = !memory.isMapped(address, 1);
  }
  if (free) return candidate;
  for (const region of memory.regions()) {
    const regionEnd = region.address + BigInt(region.length);
    if (regionEnd + page <= candidate) continue;
    if (region.address >= candidate + span + page) break;
    candidate = regionEnd + page;
  }
  if (candidate + span > limit) {
    throw new RangeError(
      `no free range of ${length} bytes between 0x${from.toString(16)} and 0x${limit.toString(16)}`,
    );
  }
  return candidate;
}

/** The permissions a linker gives a section: code r-x, read-only data r--, everything else rw-. */
function sectionPermissions(name: string): number {
  if (name === '.text' || name.startsWith('.text.') || name === '.init' || name === '.fini') {
    return Permission.read | Permission.execute;
  }
  if (name.startsWith('.rodata') || name.startsWith('.note') || name === '.comment') return Permission.read;
  return Permission.read | Permission.write;
}

/** What {@link placeAssembly} needs of the machine: its mode and memory. */
export interface ProgramHost {
  readonly mode: 32 | 64;
  readonly memory: Memory;
}

/** A program in memory plus where execution should start and where its code ends. */
export interface PlacedProgram {
  readonly program: LoadedProgram;
  /** First byte of the code (the `.text` section, else the image). */
  readonly entry: bigint;
  /** End of the last code section: running into it stops the machine with reason `end`. */
  readonly codeEnd: bigint;
}

/**
 * Assembles `source` for the machine's mode and maps it. It is assembled twice: once to learn the
 * sections' sizes, then at its final place with each change of permissions (code, read-only data,
 * writable data) starting on a new page, as a linker lays out segments — so code is not writable
 * and data is not executable. Throws `AssemblyError` for bad source and `MemoryMapError` when it
 * cannot be mapped.
 */
export function placeAssembly(
  host: ProgramHost,
  source: string,
  options: AssembleProgramOptions,
): PlacedProgram {
  const assembleAt = (origin: bigint, sectionAddresses: Record<string, bigint> = {}) =>
    assembleOrThrow(source, { mode: host.mode, syntax: options.dialect ?? 'auto', origin, sectionAddresses });
  const requested =
    options.address === undefined ? DEFAULT_CODE_BASE : toAddress(options.address, 'program address');
  const sizing = assembleAt(requested);
  const placed = sizing.sections
    .filter((section) => section.size > 0)
    .sort((a, b) => (a.address < b.address ? -1 : 1));
  const offsets = new Map<string, bigint>();
  let offset = 0n;
  let previous: number | null = null;
  for (const section of placed) {
    const permissions = sectionPermissions(section.name);
    offset = alignUp(offset, permissions === previous ? section.alignment : PAGE_SIZE);
    offsets.set(section.name, offset);
    offset += BigInt(section.size);
    previous = permissions;
  }
  // A NASM `org` fixes the address in the source itself.
  const origin = placed[0]?.address ?? requested;
  const hasOrg = origin !== requested;
  const base =
    hasOrg || options.address !== undefined ? origin : findFreeRange(host.memory, Number(offset), requested);
  const pinned: Record<string, bigint> = {};
  for (const [name, sectionOffset] of offsets) if (sectionOffset !== 0n) pinned[name] = base + sectionOffset;
  const result = assembleAt(base, pinned);
  const { start, end } = programSpan(result.sections, result.origin);
  // A page shared by two sections gets both sections' permissions, as the union is what works.
  const pagePermissions = new Map<bigint, number>();
  let entry: bigint | null = null;
  let codeEnd = start;
  for (const section of result.sections) {
    const size = section.size;
    if (size === 0) continue;
    const permissions = sectionPermissions(section.name);
    if (permissions & Permission.execute) {
      entry ??= section.address;
      const sectionEnd = section.address + BigInt(size);
      if (sectionEnd > codeEnd) codeEnd = sectionEnd;
    }
    const first = section.address / BigInt(PAGE_SIZE);
    const last = (section.address + BigInt(size) - 1n) / BigInt(PAGE_SIZE);
    for (let page = first; page <= last; page++) {
      pagePermissions.set(page, (pagePermissions.get(page) ?? 0) | permissions);
    }
  }
  for (const [page, permissions] of pagePermissions) {
    host.memory.map(page * BigInt(PAGE_SIZE), PAGE_SIZE, permissions, 'zero');
  }
  if (result.bytes.length > 0) host.memory.writeBytes(result.origin, result.bytes);
  const symbols = new Map<string, bigint>();
  for (const symbol of result.symbols) if (symbol.section !== null) symbols.set(symbol.name, symbol.value);
  const program = new LoadedProgram(start, Number(end - start), symbols);
  return { program, entry: entry ?? start, codeEnd: entry === null ? end : codeEnd };
}

interface SectionLike {
  readonly address: bigint;
  readonly size: number;
}

/** The lowest and highest addresses the sections occupy. */
function programSpan(sections: readonly SectionLike[], origin: bigint): { start: bigint; end: bigint } {
  let start: bigint | null = null;
  let end = origin;
  for (const section of sections) {
    const size = section.size;
    if (size === 0) continue;
    if (start === null || section.address < start) start = section.address;
    const sectionEnd = section.address + BigInt(size);
    if (sectionEnd > end) end = sectionEnd;
  }
  return { start: start ?? origin, end };
}

/**
 * Maps raw code bytes read+execute at `address` (or a free place) and writes them in.
 * `symbols` name addresses inside the bytes.
 */
export function placeBytes(
  host: ProgramHost,
  bytes: Uint8Array,
  address: Address | undefined,
  options: LoadBytesOptions,
): PlacedProgram {
  const start =
    address === undefined
      ? findFreeRange(host.memory, bytes.length, DEFAULT_CODE_BASE)
      : toAddress(address, 'load address');
  host.memory.map(start, Math.max(bytes.length, 1), Permission.read | Permission.execute, 'zero');
  host.memory.writeBytes(start, bytes);
  const symbols = new Map<string, bigint>();
  for (const [name, offset] of Object.entries(options.symbols ?? {})) {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= Math.max(bytes.length, 1)) {
      throw new RangeError(`symbol '${name}': offset ${offset} is outside the ${bytes.length} bytes loaded`);
    }
    symbols.set(name, start + BigInt(offset));
  }
  const program = new LoadedProgram(start, bytes.length, symbols);
  return { program, entry: start, codeEnd: program.end };
}
