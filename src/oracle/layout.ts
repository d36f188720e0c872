/**
 * Turns a {@link NativeCase} into what the runner needs: page runs to map (with protections),
 * bytes to write, byte ranges to read back, and the start state. All checking of a case happens
 * here, so the runner can stay small.
 */
import type { NativeCase, OracleMode, RegisterName } from './types.js';
import { DEFAULT_CODE_ADDRESS, REGISTER_NAMES } from './types.js';

export const PAGE_SIZE = 0x1000;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;
/** Limits of the runner (MAX_RUNS / MAX_READS in runner.c). */
export const MAX_PAGE_RUNS = 64;
export const MAX_MEMORY_REGIONS = 64;

/** RFLAGS bits a case may set: CF, reserved 1, PF, AF, ZF, SF, IF, DF, OF. */
export const SETTABLE_RFLAGS = 0xed7n;
const RESERVED_FLAG_BIT_1 = 0x2n;

/**
 * Highest user address (exclusive) per mode: the 47-bit user half, or the 4 GiB of 32-bit mode.
 * Both are below 2^53, so addresses are handled as plain numbers once checked (BigInt arithmetic
 * allocates, and this code runs for every case of every batch).
 */
const USER_ADDRESS_LIMIT: Record<OracleMode, bigint> = { 64: 0x7fff_ffff_f000n, 32: 0x1_0000_0000n };

/** A case that cannot be run as given. The message says what to change. */
export class OracleCaseError extends Error {
  override name = 'OracleCaseError';
}

/** A run of consecutive pages mapped with one protection (addresses are exact numbers below 2^47). */
export interface PageRun {
  readonly address: number;
  readonly length: number;
  readonly protection: number;
}

/** Bytes to place at an address before the case runs. */
export interface MemoryWrite {
  readonly address: number;
  readonly bytes: Uint8Array;
}

/** A case ready for the wire. */
export interface PreparedCase {
  readonly gprs: readonly bigint[];
  readonly rflags: bigint;
  readonly entry: bigint;
  readonly codeEnd: bigint;
  readonly runs: readonly PageRun[];
  /** The code, then the appended jump, then the memory regions' bytes. */
  readonly writes: readonly MemoryWrite[];
  readonly reads: readonly { readonly address: number; readonly length: number }[];
}

/**
 * The bytes appended after a case's code that jump back into the runner without touching any
 * register or flag. 64-bit: `jmp qword [rip+0]` followed by the absolute address (reachable from
 * anywhere). 32-bit: `jmp rel32` (wraps modulo 2^32, so always reachable).
 */
export function terminatorBytes(mode: OracleMode, codeEnd: bigint, runnerCaseEnd: bigint): Uint8Array {
  if (mode === 64) {
    const bytes = new Uint8Array(14);
    bytes.set([0xff, 0x25, 0, 0, 0, 0]);
    new DataView(bytes.buffer).setBigUint64(6, runnerCaseEnd, true);
    return bytes;
  }
  const bytes = new Uint8Array(5);
  bytes[0] = 0xe9;
  new DataView(bytes.buffer).setUint32(1, Number(BigInt.asUintN(32, runnerCaseEnd - (codeEnd + 5n))), true);
  return bytes;
}

/** The byte a prepared case starts with at `address` (code or memory), or undefined if none is there. */
export function initialByte(prepared: PreparedCase, address: bigint): number | undefined {
  const at = Number(address);
  for (const write of prepared.writes) {
    const offset = at - write.address;
    if (offset >= 0 && offset < write.bytes.length) return write.bytes[offset];
  }
  return undefined;
}

function hex(value: bigint | number): string {
  return `0x${value.toString(16)}`;
}

function checkedRegisters(mode: OracleMode, registers: NativeCase['registers']): bigint[] {
  const gprs = new Array<bigint>(REGISTER_NAMES.length).fill(0n);
  if (!registers) return gprs;
  for (const name in registers) {
    const value = registers[name as RegisterName];
    const index = REGISTER_NAMES.indexOf(name as RegisterName);
    if (index < 0) {
      throw new OracleCaseError(`unknown register '${name}'; expected one of ${REGISTER_NAMES.join(', ')}`);
    }
    if (value === undefined) continue;
    if (typeof value !== 'bigint') throw new OracleCaseError(`register ${name} must be a bigint`);
    if (mode === 32 && index >= 8) {
      throw new OracleCaseError(`register ${name} does not exist in 32-bit mode (use rax..rdi for eax..edi)`);
    }
    gprs[index] = BigInt.asUintN(mode, value);
  }
  return gprs;
}

function checkedFlags(rflags: bigint | undefined): bigint {
  const flags = rflags ?? 0x202n;
  const refused = flags & ~SETTABLE_RFLAGS;
  if (refused !== 0n) {
    throw new OracleCaseError(
      `rflags ${hex(flags)} sets ${hex(refused)}; only CF PF AF ZF SF OF DF (and IF, bit 1) may be set (mask ${hex(SETTABLE_RFLAGS)})`,
    );
  }
  return flags | RESERVED_FLAG_BIT_1;
}

/** An address range the case occupies: the code, or one memory region. */
interface Span {
  readonly what: string;
  readonly start: number;
  readonly end: number;
  readonly kind: 'code' | 'writable' | 'read-only';
}

function checkedSpan(
  mode: OracleMode,
  what: string,
  start: bigint,
  length: number,
  kind: Span['kind'],
): Span {
  const end = start + BigInt(length);
  if (start < 0n || end > USER_ADDRESS_LIMIT[mode]) {
    throw new OracleCaseError(
      `${what} [${hex(start)}, ${hex(end)}) is outside the ${mode}-bit user address range [0, ${hex(USER_ADDRESS_LIMIT[mode])})`,
    );
  }
  return { what, start: Number(start), end: Number(end), kind };
}

/** Page protections: readable always; writable if a writable region touches it; executable if the code does. */
function pageProtections(spans: readonly Span[]): Map<number, number> {
  const protections = new Map<number, number>();
  const dataKind = new Map<number, Span>();
  for (const span of spans) {
    for (let page = span.start - (span.start % PAGE_SIZE); page < span.end; page += PAGE_SIZE) {
      let protection = protections.get(page) ?? PROT_READ;
      if (span.kind === 'code') {
        protection |= PROT_EXEC;
      } else {
        const earlier = dataKind.get(page);
        if (earlier && earlier.kind !== span.kind) {
          throw new OracleCaseError(
            `${span.what} and ${earlier.what} share the page at ${hex(page)} but only one is writable; move one to another page`,
          );
        }
        dataKind.set(page, span);
        if (span.kind === 'writable') protection |= PROT_WRITE;
      }
      protections.set(page, protection);
    }
  }
  return protections;
}

function mergeIntoRuns(protections: Map<number, number>): PageRun[] {
  const pages = [...protections.keys()].sort((a, b) => a - b);
  const runs: { address: number; length: number; protection: number }[] = [];
  for (const page of pages) {
    const protection = protections.get(page)!;
    const last = runs.at(-1);
    if (last && last.address + last.length === page && last.protection === protection) {
      last.length += PAGE_SIZE;
    } else {
      runs.push({ address: page, length: PAGE_SIZE, protection });
    }
  }
  return runs;
}

function checkNoOverlap(spans: readonly Span[]): void {
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      const [a, b] = [spans[i], spans[j]];
      if (a.start < b.end && b.start < a.end) {
        throw new OracleCaseError(
          `${b.what} [${hex(b.start)}, ${hex(b.end)}) overlaps ${a.what} [${hex(a.start)}, ${hex(a.end)})`,
        );
      }
    }
  }
}

/**
 * Checks a case and lays it out for the runner.
 * @param terminator the bytes to append after the code (see {@link terminatorBytes}); in 64-bit
 *   mode they are the same for every case, so callers pass one shared array.
 * @throws OracleCaseError when the case cannot be run as given.
 */
export function prepareCase(
  mode: OracleMode,
  testCase: NativeCase,
  terminator: (codeEnd: bigint) => Uint8Array,
): PreparedCase {
  if (!(testCase.code instanceof Uint8Array)) throw new OracleCaseError('code must be a Uint8Array');
  const entry = testCase.codeAddress ?? DEFAULT_CODE_ADDRESS;
  const codeEnd = entry + BigInt(testCase.code.length);
  const jumpBack = terminator(codeEnd);
  const regions = testCase.memory ?? [];
  if (regions.length > MAX_MEMORY_REGIONS) {
    throw new OracleCaseError(
      `${regions.length} memory regions; at most ${MAX_MEMORY_REGIONS} are supported`,
    );
  }
  const codeLength = testCase.code.length + jumpBack.length;
  const spans: Span[] = [checkedSpan(mode, 'the code (with the appended jump)', entry, codeLength, 'code')];
  const writes: MemoryWrite[] = [
    { address: spans[0].start, bytes: testCase.code },
    { address: spans[0].start + testCase.code.length, bytes: jumpBack },
  ];
  const reads: { address: number; length: number }[] = [];
  for (let index = 0; index < regions.length; index++) {
    const region = regions[index];
    if (!(region.bytes instanceof Uint8Array))
      throw new OracleCaseError(`memory[${index}].bytes must be a Uint8Array`);
    const kind = region.writable === false ? 'read-only' : 'writable';
    const span = checkedSpan(mode, `memory[${index}]`, region.address, region.bytes.length, kind);
    reads.push({ address: span.start, length: region.bytes.length });
    if (region.bytes.length === 0) continue;
    spans.push(span);
    writes.push({ address: span.start, bytes: region.bytes });
  }
  checkNoOverlap(spans);
  const runs = mergeIntoRuns(pageProtections(spans));
  if (runs.length > MAX_PAGE_RUNS) {
    throw new OracleCaseError(
      `the case needs ${runs.length} separate page runs; at most ${MAX_PAGE_RUNS} are supported`,
    );
  }
  return {
    gprs: checkedRegisters(mode, testCase.registers),
    rflags: checkedFlags(testCase.rflags),
    entry,
    codeEnd,
    runs,
    writes,
    reads,
  };
}
