/**
 * Machine state as data: {@link snapshotMachine} copies registers, flags and mapped memory into an
 * immutable {@link MachineSnapshot}; {@link restoreSnapshot} puts one back; {@link diffStates}
 * compares a machine (or snapshot) with what a test expects, looking only at the bits both sides
 * define — an expected value never matches a bit the VM calls undefined.
 */
import { type FlagBit, flagBitPosition } from '../ir/expression.js';
import { doublewordRegisters, quadwordRegisters, registerInfo } from '../isa/registers.js';
import { formatValue } from '../value/format.js';
import { isUndefined, type UndefinedValue } from '../value/undefined.js';
import { Value } from '../value/value.js';
import type { Machine } from './machine.js';

/** The flags a machine models, in RFLAGS bit order. */
export const MODELLED_FLAGS: readonly FlagBit[] = Object.freeze(
  (Object.keys(flagBitPosition) as FlagBit[]).sort((a, b) => flagBitPosition[a] - flagBitPosition[b]),
);

/** One mapped region of a snapshot: whole pages, their permissions, bytes and undefined masks. */
export interface MemoryRegionSnapshot {
  readonly address: bigint;
  /** A multiple of the page size. */
  readonly length: number;
  /** {@link Permission} bits. */
  readonly permissions: number;
  /** The data (a copy; do not mutate: typed arrays cannot be frozen). */
  readonly bytes: Uint8Array;
  /** A 1 bit marks an undefined bit of the byte at the same index. */
  readonly undefinedBits: Uint8Array;
}

/** A machine's architectural state as frozen data (see {@link snapshotMachine}). */
export interface MachineSnapshot {
  readonly kind: 'vial-machine-snapshot';
  readonly mode: 32 | 64;
  /** The full-width general registers of the mode (`rax`..`r15` or `eax`..`edi`) and `rip`/`eip`. */
  readonly registers: Readonly<Record<string, Value>>;
  /** Each modelled flag as a 1-bit value. */
  readonly flags: Readonly<Record<FlagBit, Value>>;
  /** Mapped memory, coalesced into regions of whole pages, in address order. */
  readonly memory: readonly MemoryRegionSnapshot[];
}

/** The general registers a snapshot keeps for each mode, in encoding order. */
function snapshotRegisterNames(mode: 32 | 64): readonly string[] {
  return mode === 64 ? quadwordRegisters : doublewordRegisters.slice(0, 8);
}

/**
 * Copies the state of `machine`: every general register at full width, the instruction pointer, each
 * modelled flag, and every mapped page with its undefined mask. FS/GS bases are not included (the
 * machine has no reader for them yet).
 */
export function snapshotMachine(machine: Machine): MachineSnapshot {
  const registers: Record<string, Value> = {};
  for (const name of snapshotRegisterNames(machine.mode)) registers[name] = machine.getRegister(name);
  const ip = machine.mode === 64 ? 'rip' : 'eip';
  registers[ip] = machine.getRegister(ip);
  const flags = {} as Record<FlagBit, Value>;
  for (const flag of MODELLED_FLAGS) flags[flag] = machine.getFlag(flag);
  const memory = machine.memory.regions().map((region) => {
    const { bytes, undefinedBits } = machine.memory.readBytes(region.address, region.length);
    return Object.freeze({ ...region, bytes, undefinedBits });
  });
  return Object.freeze({
    kind: 'vial-machine-snapshot',
    mode: machine.mode,
    registers: Object.freeze(registers),
    flags: Object.freeze(flags),
    memory: Object.freeze(memory),
  });
}

/** True for a {@link MachineSnapshot} (as opposed to a partial expectation or a machine). */
export function isMachineSnapshot(value: unknown): value is MachineSnapshot {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'vial-machine-snapshot'
  );
}

/**
 * Puts `snapshot` back into `machine` (same mode): registers, flags, and the snapshot's pages (mapped
 * if missing, permissions and contents restored). Pages mapped since the snapshot stay mapped — memory
 * cannot be unmapped — so restore into a fresh machine when that matters. Run settings (`codeEnd`,
 * breakpoints, the step count) are not architectural state and are left as they are.
 */
export function restoreSnapshot(machine: Machine, snapshot: MachineSnapshot): void {
  if (machine.mode !== snapshot.mode) {
    throw new RangeError(`cannot restore a ${snapshot.mode}-bit snapshot into a ${machine.mode}-bit machine`);
  }
  for (const [name, value] of Object.entries(snapshot.registers)) machine.setRegister(name, value);
  for (const flag of MODELLED_FLAGS) machine.setFlag(flag, snapshot.flags[flag]);
  for (const region of snapshot.memory) {
    machine.memory.map(region.address, region.length, region.permissions, 'zero');
    machine.memory.writeBytes(region.address, region.bytes, region.undefinedBits);
  }
}

// ---- expectations -------------------------------------------------------------------------------

/**
 * An expected register value: a number or bigint (every bit defined; negative numbers are two's
 * complement), a precise `Value` (its undefined bits are "don't care"), or the coarse `Undefined`
 * (every bit must be undefined).
 */
export type ExpectedValue = number | bigint | Value | UndefinedValue;

/** An expected flag: 0/1, a boolean, a 1-bit `Value`, or `Undefined` (the flag must be undefined). */
export type ExpectedFlag = 0 | 1 | boolean | Value | UndefinedValue;

/**
 * Expected memory bytes: plain bytes, bytes where `Undefined` marks a byte that must be undefined, or
 * bytes with an undefined mask (a 1 bit is "don't care", as in a snapshot).
 */
export type ExpectedBytes =
  | Uint8Array
  | readonly (number | UndefinedValue)[]
  | { readonly bytes: Uint8Array; readonly undefinedBits: Uint8Array };

/** A partial description of the expected state: only what it names is compared. */
export interface ExpectedState {
  /** Any register name or alias (`rax`, `eax`, `al`, `r8d`, `rip`). */
  readonly registers?: Readonly<Record<string, ExpectedValue>>;
  readonly flags?: Readonly<Partial<Record<FlagBit, ExpectedFlag>>>;
  readonly memory?: readonly (readonly [bigint | number, ExpectedBytes])[];
}

/** A machine, or a snapshot of one: what {@link diffStates} reads the actual state from. */
export type StateSource = Machine | MachineSnapshot;

/** Options of {@link diffStates}. */
export interface DiffOptions {
  /**
   * When true, a bit undefined in an expected `Value` or snapshot must be undefined in the actual state
   * too (an exact undefinedness match). Default false: such bits are "don't care".
   */
  readonly requireUndefined?: boolean;
}

/**
 * An expectation reduced to masks: `definedMask` bits must be defined and equal `bits`;
 * `undefinedMask` bits must be undefined; other bits are not compared.
 */
export interface Expectation {
  readonly width: number;
  readonly bits: bigint;
  readonly definedMask: bigint;
  readonly undefinedMask: bigint;
}

/** One place where the actual state differs from the expected one. */
export interface StateDifference {
  readonly where: 'register' | 'flag' | 'memory';
  /** The register or flag name as the expectation spelled it (lower-case registers), or `[0x2000]`. */
  readonly name: string;
  /** For memory: the address of the first byte of the compared range. */
  readonly address?: bigint;
  /** The actual value (memory: the compared bytes as one little-endian value), `null` when unmapped. */
  readonly actual: Value | null;
  readonly expected: Expectation;
  /** Bits whose defined values differ. */
  readonly differingBits: bigint;
  /** Bits the expectation defines but the actual state calls undefined. */
  readonly undefinedInActual: bigint;
  /** Bits the expectation requires undefined but the actual state defines. */
  readonly definedInActual: bigint;
  /** One line for people: `expected eax = 0x0000_0005, got 0x0000_00?? (bits 0–7 undefined)`. */
  readonly message: string;
}

const allOnes = (width: number) => (1n << BigInt(width)) - 1n;

/** Thrown for an expectation that cannot be compared (unknown register, value too wide…). */
export class ExpectationError extends TypeError {
  override readonly name = 'ExpectationError';
}

/** Reduces an expected value of `width` bits to masks; `what` names it in errors. */
export function toExpectation(expected: ExpectedValue, width: number, what: string): Expectation {
  const all = allOnes(width);
  if (isUndefined(expected)) return { width, bits: 0n, definedMask: 0n, undefinedMask: all };
  if (expected instanceof Value) {
    if (expected.width > width)
      throw new ExpectationError(`${what}: a ${expected.width}-bit value does not fit in ${width} bits`);
    const mask = expected.undefinedMask | (all & ~allOnes(expected.width));
    return { width, bits: expected.bits, definedMask: all & ~mask, undefinedMask: 0n };
  }
  if (typeof expected !== 'number' && typeof expected !== 'bigint')
    throw new ExpectationError(
      `${what}: expected a number, bigint, Value or Undefined, got ${describe(expected)}`,
    );
  if (typeof expected === 'number' && !Number.isSafeInteger(expected))
    throw new ExpectationError(`${what}: ${expected} is not an integer (use a bigint for 64-bit values)`);
  const big = BigInt(expected);
  if (big < -(1n << BigInt(width - 1)) || big > all)
    throw new ExpectationError(`${what}: ${expected} does not fit in ${width} bits`);
  return { width, bits: BigInt.asUintN(width, big), definedMask: all, undefinedMask: 0n };
}

/** Reads an expectation in `requireUndefined` mode: a Value's undefined bits must be undefined. */
function requiringUndefined(expectation: Expectation, expected: ExpectedValue): Expectation {
  if (!(expected instanceof Value)) return expectation;
  return { ...expectation, undefinedMask: expected.undefinedMask };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? (value.constructor?.name ?? 'an object') : typeof value;
}

/** `bits 0–7`, `bit 3`, `bits 0–3, 8–11` for the set bits of `mask`. */
export function describeBits(mask: bigint): string {
  const ranges: string[] = [];
  let count = 0;
  let index = 0;
  for (let rest = mask; rest !== 0n; index++, rest >>= 1n) {
    if ((rest & 1n) === 0n) continue;
    let end = index;
    while (((rest >> BigInt(end - index + 1)) & 1n) === 1n) end++;
    ranges.push(end === index ? `${index}` : `${index}–${end}`);
    count += end - index + 1;
    rest >>= BigInt(end - index);
    index = end;
  }
  return `${count === 1 ? 'bit' : 'bits'} ${ranges.join(', ')}`;
}

/** An expectation printed like a value: `?` where a bit is required undefined or not compared. */
export function formatExpectation(expectation: Expectation): string {
  return formatValue(
    expectation.bits & expectation.definedMask,
    allOnes(expectation.width) & ~expectation.definedMask,
    expectation.width,
  );
}

/** Compares one actual value with an expectation; null when they agree. */
export function compareValue(
  actual: Value,
  expectation: Expectation,
): Pick<StateDifference, 'differingBits' | 'undefinedInActual' | 'definedInActual'> | null {
  const undefinedInActual = expectation.definedMask & actual.undefinedMask;
  const differingBits = (actual.bits ^ expectation.bits) & expectation.definedMask & ~actual.undefinedMask;
  const definedInActual = expectation.undefinedMask & ~actual.undefinedMask;
  if ((undefinedInActual | differingBits | definedInActual) === 0n) return null;
  return { differingBits, undefinedInActual, definedInActual };
}

/** The parenthesised reasons of a difference: `(bits 0–7 undefined)`, `(bit 2 differs)`. */
export function explainDifference(
  found: Pick<StateDifference, 'differingBits' | 'undefinedInActual' | 'definedInActual'>,
): string {
  const reasons: string[] = [];
  if (found.differingBits) {
    const text = describeBits(found.differingBits);
    reasons.push(`${text} ${text.startsWith('bits') ? 'differ' : 'differs'}`);
  }
  if (found.undefinedInActual) reasons.push(`${describeBits(found.undefinedInActual)} undefined`);
  if (found.definedInActual) {
    const text = describeBits(found.definedInActual);
    reasons.push(`${text} defined, expected undefined`);
  }
  return `(${reasons.join('; ')})`;
}

function difference(
  where: StateDifference['where'],
  name: string,
  actual: Value,
  expected: Expectation,
  address?: bigint,
): StateDifference | null {
  const found = compareValue(actual, expected);
  if (!found) return null;
  return {
    where,
    name,
    ...(address === undefined ? {} : { address }),
    actual,
    expected,
    ...found,
    message:
      where === 'flag'
        ? `expected ${name} = ${expected.definedMask ? expected.bits : '?'}, got ${actual.isDefined ? actual.bits : '?'}${found.definedInActual ? ' (defined, expected undefined)' : ''}`
        : `expected ${name} = ${formatExpectation(expected)}, got ${actual.toString()} ${explainDifference(found)}`,
  };
}

/** A bit mask over a little-endian byte range, as byte offsets: `byte +3`, `bytes +0–1`. */
function describeBytes(mask: bigint, byteCount: number): string {
  let byteMask = 0n;
  for (let i = 0; i < byteCount; i++) if ((mask >> BigInt(8 * i)) & 0xffn) byteMask |= 1n << BigInt(i);
  return describeBits(byteMask).replace(/^bits? /, (word) => (word === 'bit ' ? 'byte +' : 'bytes +'));
}

/** The reasons of a memory difference, by byte: `(byte +3 differs; byte +4 undefined)`. */
function explainMemoryDifference(
  found: Pick<StateDifference, 'differingBits' | 'undefinedInActual' | 'definedInActual'>,
  byteCount: number,
): string {
  const reasons: string[] = [];
  if (found.differingBits) {
    const text = describeBytes(found.differingBits, byteCount);
    reasons.push(`${text} ${text.startsWith('bytes') ? 'differ' : 'differs'}`);
  }
  if (found.undefinedInActual) reasons.push(`${describeBytes(found.undefinedInActual, byteCount)} undefined`);
  if (found.definedInActual)
    reasons.push(`${describeBytes(found.definedInActual, byteCount)} defined, expected undefined`);
  return `(${reasons.join('; ')})`;
}

/** Reads a register (any alias) from a machine or snapshot. */
export function readRegister(source: StateSource, name: string): Value {
  const lower = name.toLowerCase();
  if (!isMachineSnapshot(source)) {
    try {
      return source.getRegister(lower);
    } catch (error) {
      throw new ExpectationError((error as Error).message);
    }
  }
  if (lower === 'rip' || lower === 'eip') return source.registers[source.mode === 64 ? 'rip' : 'eip'];
  const info = registerInfo(lower);
  const container = info?.class.startsWith('gpr') ? registerInfo(info.container) : undefined;
  const full = container ? source.registers[snapshotRegisterNames(source.mode)[container.number]] : undefined;
  if (!info || !full || (source.mode === 32 && (info.needsRex || info.width === 64)))
    throw new ExpectationError(`unknown general register '${name}' in ${source.mode}-bit mode`);
  return full.extract(info.bitOffset, info.width);
}

/** Reads a flag from a machine or snapshot. */
export function readFlag(source: StateSource, flag: FlagBit): Value {
  if (!(flag in flagBitPosition))
    throw new ExpectationError(`unknown flag '${flag}' (modelled: ${MODELLED_FLAGS.join(', ')})`);
  return isMachineSnapshot(source) ? source.flags[flag] : source.getFlag(flag);
}

/** Reads bytes with their undefined masks; null when a byte is not mapped. */
function readMemory(
  source: StateSource,
  address: bigint,
  length: number,
): { bytes: Uint8Array; undefinedBits: Uint8Array } | null {
  if (!isMachineSnapshot(source)) {
    return source.memory.isMapped(address, length) ? source.memory.readBytes(address, length) : null;
  }
  const bytes = new Uint8Array(length);
  const undefinedBits = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const at = address + BigInt(i);
    const region = source.memory.find((r) => at >= r.address && at < r.address + BigInt(r.length));
    if (!region) return null;
    bytes[i] = region.bytes[Number(at - region.address)];
    undefinedBits[i] = region.undefinedBits[Number(at - region.address)];
  }
  return { bytes, undefinedBits };
}

/** Expected bytes as per-byte expectations. */
function byteExpectations(expected: ExpectedBytes, requireUndefined: boolean, what: string): Expectation[] {
  if (expected instanceof Uint8Array) return Array.from(expected, (byte) => toExpectation(byte, 8, what));
  if (Array.isArray(expected)) {
    return expected.map((byte: number | UndefinedValue) => {
      if (typeof byte === 'number' && (byte < 0 || byte > 0xff || !Number.isInteger(byte)))
        throw new ExpectationError(`${what}: ${byte} is not a byte (0..255)`);
      return toExpectation(byte, 8, what);
    });
  }
  const masked = expected as { bytes: Uint8Array; undefinedBits: Uint8Array };
  return Array.from(masked.bytes, (byte, i) => {
    const undefinedBits = masked.undefinedBits[i] ?? 0;
    return {
      width: 8,
      bits: BigInt(byte),
      definedMask: BigInt(~undefinedBits & 0xff),
      undefinedMask: requireUndefined ? BigInt(undefinedBits) : 0n,
    };
  });
}

/** Expected memory compared as one little-endian value per entry, so one entry gives one difference. */
function diffMemory(
  actual: StateSource,
  address: bigint,
  expectations: Expectation[],
): StateDifference | null {
  if (expectations.length === 0) return null;
  const name = `[0x${address.toString(16)}]`;
  const width = expectations.length * 8;
  const expected = expectations.reduceRight<Expectation>(
    (acc, byte) => ({
      width,
      bits: (acc.bits << 8n) | byte.bits,
      definedMask: (acc.definedMask << 8n) | byte.definedMask,
      undefinedMask: (acc.undefinedMask << 8n) | byte.undefinedMask,
    }),
    { width, bits: 0n, definedMask: 0n, undefinedMask: 0n },
  );
  const read = readMemory(actual, address, expectations.length);
  if (!read) {
    return {
      where: 'memory',
      name,
      address,
      actual: null,
      expected,
      differingBits: 0n,
      undefinedInActual: 0n,
      definedInActual: 0n,
      message: `expected ${name} = ${formatBytes(expected)}, got unmapped memory`,
    };
  }
  const found = compareValue(bytesAsValue(read.bytes, read.undefinedBits), expected);
  if (!found) return null;
  const value = bytesAsValue(read.bytes, read.undefinedBits);
  return {
    where: 'memory',
    name,
    address,
    actual: value,
    expected,
    ...found,
    message: `expected ${name} = ${formatBytes(expected)}, got ${formatBytes(value)} ${explainMemoryDifference(found, expectations.length)}`,
  };
}

/** Up to 8 bytes as one little-endian value (the caller compares longer ranges in chunks). */
function bytesAsValue(bytes: Uint8Array, undefinedBits: Uint8Array): Value {
  let bits = 0n;
  let mask = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) {
    bits = (bits << 8n) | BigInt(bytes[i]);
    mask = (mask << 8n) | BigInt(undefinedBits[i]);
  }
  return Value.of(bits, bytes.length * 8, mask);
}

/** Memory for people, in address order: `aa bb ?? 1[1?00]`. */
function formatBytes(value: Value | Expectation): string {
  const width = value.width;
  const bits = value instanceof Value ? value.bits : value.bits & value.definedMask;
  const mask = value instanceof Value ? value.undefinedMask : allOnes(width) & ~value.definedMask;
  const parts: string[] = [];
  for (let i = 0; i < width / 8; i++) {
    const shift = BigInt(8 * i);
    parts.push(formatValue((bits >> shift) & 0xffn, (mask >> shift) & 0xffn, 8).slice(2));
  }
  return parts.join(' ');
}

/** A snapshot as an expectation of everything it holds. */
function snapshotAsExpected(snapshot: MachineSnapshot): ExpectedState {
  return {
    registers: snapshot.registers,
    flags: snapshot.flags,
    memory: snapshot.memory.map((region) => [region.address, region] as const),
  };
}

/**
 * Compares `actual` with `expected` and lists every difference (empty: they agree). Only bits defined
 * in both are compared, except that a bit the expectation defines and the actual state calls undefined
 * is a difference (an expected value never matches an undefined bit), and `Undefined` in the
 * expectation requires every bit undefined. Throws {@link ExpectationError} for an expectation that
 * names an unknown register or flag, or a value that does not fit.
 */
export function diffStates(
  actual: StateSource,
  expected: ExpectedState | MachineSnapshot,
  options: DiffOptions = {},
): StateDifference[] {
  const requireUndefined = options.requireUndefined === true;
  const state = isMachineSnapshot(expected) ? snapshotAsExpected(expected) : expected;
  const differences: StateDifference[] = [];
  const push = (found: StateDifference | null) => {
    if (found) differences.push(found);
  };
  for (const [name, value] of Object.entries(state.registers ?? {})) {
    const actualValue = readRegister(actual, name);
    let expectation = toExpectation(value, actualValue.width, `register ${name}`);
    if (requireUndefined) expectation = requiringUndefined(expectation, value);
    push(difference('register', name.toLowerCase(), actualValue, expectation));
  }
  for (const [flag, value] of Object.entries(state.flags ?? {}) as [FlagBit, ExpectedFlag][]) {
    const actualValue = readFlag(actual, flag);
    const asValue = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    let expectation = toExpectation(asValue, 1, `flag ${flag}`);
    if (requireUndefined) expectation = requiringUndefined(expectation, asValue);
    push(difference('flag', flag, actualValue, expectation));
  }
  for (const [address, bytes] of state.memory ?? []) {
    const start = BigInt(address);
    const expectations = byteExpectations(bytes, requireUndefined, `memory 0x${start.toString(16)}`);
    // Eight bytes at a time: a difference's values are at most 64 bits wide, and a long range (a
    // snapshot's page) then reports only the chunks that differ.
    for (let offset = 0; offset < expectations.length; offset += 8)
      push(diffMemory(actual, start + BigInt(offset), expectations.slice(offset, offset + 8)));
  }
  return differences;
}
