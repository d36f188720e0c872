/**
 * The byte format spoken with the runner over its stdin/stdout (little-endian, 8-byte aligned). It
 * mirrors the structs in native/runner.c; the C side checks the sizes with _Static_assert.
 *
 * Request per case: header (magic "VCAS", run/write/read counts, 16 registers, flags, entry),
 * page runs (address, length, protection), read ranges (address, length), then the writes
 * (address, length, bytes padded to 8).
 * Response per case: header (magic "VRES", status, 16 registers, flags, ip, signal details),
 * then each read range's bytes padded to 8.
 */
import type { PreparedCase } from './layout.js';

export const PROTOCOL_VERSION = 1;
const MAGIC_CASE = 0x53414356; // "VCAS"
const MAGIC_RESULT = 0x53455256; // "VRES"
const MAGIC_READY = 0x59445256; // "VRDY"
const CASE_HEADER_SIZE = 160;
const PAGE_RUN_SIZE = 24;
const RANGE_SIZE = 16;
const RESULT_HEADER_SIZE = 200;
/** Size of the message the runner sends once it is ready. */
export const READY_MESSAGE_SIZE = 40;

/** Runner status codes (enum case_status in runner.c). */
export const RunnerStatus = { completed: 0, fault: 1, timeout: 2, syscall: 3, rejected: 4 } as const;

/** What the runner says when it starts. */
export interface ReadyMessage {
  readonly version: number;
  readonly modeBits: number;
  readonly seccomp: boolean;
  /** Address the appended jump must reach. */
  readonly caseEnd: bigint;
  readonly textStart: bigint;
  readonly textEnd: bigint;
}

/** One result as the runner sent it, before interpretation. */
export interface RawResult {
  readonly status: number;
  readonly gprs: readonly bigint[];
  readonly flags: bigint;
  readonly ip: bigint;
  readonly signal: number;
  readonly signalCode: number;
  readonly trapNumber: number;
  readonly errorCode: number;
  readonly cr2: bigint;
  readonly signalAddress: bigint;
  /** SIGSYS: the system call number; rejected: -errno. */
  readonly detail: bigint;
  /** Rejected: the page run that could not be mapped. */
  readonly detailAddress: bigint;
  readonly reads: readonly Uint8Array[];
}

const padded = (length: number): number => (length + 7) & ~7;

const TWO_TO_32 = 2 ** 32;

/** Writes an address below 2^53 as a little-endian u64 without going through BigInt. */
function writeAddress(buffer: Buffer, address: number, offset: number): void {
  buffer.writeUInt32LE(address % TWO_TO_32, offset);
  buffer.writeUInt32LE(Math.floor(address / TWO_TO_32), offset + 4);
}

function encodedSize(prepared: PreparedCase): number {
  let size = CASE_HEADER_SIZE + prepared.runs.length * PAGE_RUN_SIZE + prepared.reads.length * RANGE_SIZE;
  for (const write of prepared.writes) size += RANGE_SIZE + padded(write.bytes.length);
  return size;
}

/** Encodes prepared cases, back to back, as the runner reads them. */
export function encodeCases(batch: readonly PreparedCase[]): Buffer {
  let total = 0;
  for (const prepared of batch) total += encodedSize(prepared);
  const buffer = Buffer.alloc(total);
  let offset = 0;
  for (const prepared of batch) offset = encodeCaseAt(buffer, offset, prepared);
  return buffer;
}

function encodeCaseAt(buffer: Buffer, start: number, prepared: PreparedCase): number {
  buffer.writeUInt32LE(MAGIC_CASE, start);
  buffer.writeUInt32LE(prepared.runs.length, start + 4);
  buffer.writeUInt32LE(prepared.writes.length, start + 8);
  buffer.writeUInt32LE(prepared.reads.length, start + 12);
  prepared.gprs.forEach((value, index) => {
    if (value !== 0n) buffer.writeBigUInt64LE(value, start + 16 + index * 8);
  });
  buffer.writeBigUInt64LE(prepared.rflags, start + 144);
  buffer.writeBigUInt64LE(prepared.entry, start + 152);
  let offset = start + CASE_HEADER_SIZE;
  for (const run of prepared.runs) {
    writeAddress(buffer, run.address, offset);
    writeAddress(buffer, run.length, offset + 8);
    buffer.writeUInt32LE(run.protection, offset + 16);
    offset += PAGE_RUN_SIZE;
  }
  for (const read of prepared.reads) {
    writeAddress(buffer, read.address, offset);
    buffer.writeUInt32LE(read.length, offset + 8);
    offset += RANGE_SIZE;
  }
  for (const write of prepared.writes) {
    writeAddress(buffer, write.address, offset);
    buffer.writeUInt32LE(write.bytes.length, offset + 8);
    buffer.set(write.bytes, offset + RANGE_SIZE);
    offset += RANGE_SIZE + padded(write.bytes.length);
  }
  return offset;
}

/** Decodes the runner's ready message, or explains what arrived instead. */
export function decodeReadyMessage(bytes: Buffer): ReadyMessage {
  if (bytes.length < READY_MESSAGE_SIZE || bytes.readUInt32LE(0) !== MAGIC_READY) {
    throw new Error(
      `the runner did not announce itself (got ${bytes.length} bytes: ${bytes.subarray(0, 16).toString('hex')})`,
    );
  }
  const version = bytes.readUInt32LE(4);
  if (version !== PROTOCOL_VERSION) {
    throw new Error(
      `runner protocol version ${version}, expected ${PROTOCOL_VERSION}: the cached runner is stale`,
    );
  }
  return {
    version,
    modeBits: bytes.readUInt32LE(8),
    seccomp: bytes.readUInt32LE(12) === 1,
    caseEnd: bytes.readBigUInt64LE(16),
    textStart: bytes.readBigUInt64LE(24),
    textEnd: bytes.readBigUInt64LE(32),
  };
}

/** Size of the response to a case with these read lengths. */
export function resultSize(readLengths: readonly number[]): number {
  return readLengths.reduce((total, length) => total + padded(length), RESULT_HEADER_SIZE);
}

/** Decodes one response (exactly {@link resultSize} bytes). */
export function decodeResult(bytes: Buffer, readLengths: readonly number[]): RawResult {
  const magic = bytes.readUInt32LE(0);
  if (magic !== MAGIC_RESULT) throw new Error(`runner sent a result with bad magic 0x${magic.toString(16)}`);
  const gprs: bigint[] = new Array(16);
  for (let index = 0; index < 16; index++) gprs[index] = readU64(bytes, 8 + index * 8);
  const reads: Uint8Array[] = [];
  let offset = RESULT_HEADER_SIZE;
  for (const length of readLengths) {
    reads.push(new Uint8Array(bytes.subarray(offset, offset + length)));
    offset += padded(length);
  }
  const status = bytes.readUInt32LE(4);
  // The signal details mean nothing for a completed case; skipping them saves allocations.
  const stopped = status !== RunnerStatus.completed;
  return {
    status,
    gprs,
    flags: readU64(bytes, 136),
    ip: stopped ? readU64(bytes, 144) : 0n,
    signal: bytes.readUInt32LE(152),
    signalCode: bytes.readInt32LE(156),
    trapNumber: bytes.readUInt32LE(160),
    errorCode: bytes.readUInt32LE(164),
    cr2: stopped ? readU64(bytes, 168) : 0n,
    signalAddress: stopped ? readU64(bytes, 176) : 0n,
    detail: stopped ? bytes.readBigInt64LE(184) : 0n,
    detailAddress: stopped ? readU64(bytes, 192) : 0n,
    reads,
  };
}

/** Reads a little-endian u64; values below 2^53 take one BigInt allocation instead of three. */
function readU64(bytes: Buffer, offset: number): bigint {
  const low = bytes.readUInt32LE(offset);
  const high = bytes.readUInt32LE(offset + 4);
  return high < 0x20_0000 ? BigInt(high * TWO_TO_32 + low) : (BigInt(high) << 32n) | BigInt(low);
}

/** Collects stdout chunks and cuts them into messages of known sizes. */
export class MessageReader {
  private chunks: Buffer[] = [];
  private available = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.available += chunk.length;
  }

  /** The next `size` bytes, or undefined if they have not all arrived yet. */
  take(size: number): Buffer | undefined {
    if (this.available < size) return undefined;
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const message = all.subarray(0, size);
    const rest = all.subarray(size);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.available = rest.length;
    return message;
  }

  clear(): void {
    this.chunks = [];
    this.available = 0;
  }
}
