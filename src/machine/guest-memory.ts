/**
 * Guest memory for tests: a bump allocator whose blocks end against an unmapped guard page (an
 * overrun faults, as under Electric Fence), the call stack, and typed reads and writes of bytes,
 * NUL-terminated UTF-8 strings and integer arrays. Reads refuse undefined bytes (outside `zero`
 * policy) so a test cannot silently compare garbage.
 */
import type { Coarse } from '../value/undefined.js';
import { Value } from '../value/value.js';
import type { UndefinedPolicy } from './machine.js';
import { type Memory, PAGE_SIZE, Permission, parsePermissions } from './memory.js';
import { type Address, findFreeRange, toAddress } from './program.js';

/** Where the allocator's blocks go: above the code, below the stack, all under 4 GiB for 32-bit code. */
export const HEAP_BASE = 0x10000000n;
/** First address past the heap. */
export const HEAP_LIMIT = 0x70000000n;
/** Top of the stack that `call` maps when the test set none up (the CLI's stack lives there too). */
export const STACK_TOP = 0x7fff0000n;
/** Default size of that stack. */
export const DEFAULT_STACK_SIZE = 1024 * 1024;
/** Largest stack `call` will map (it must stay clear of the return sentinel below it). */
export const MAX_STACK_SIZE = 16 * 1024 * 1024;

/** Options of `Machine.alloc`. */
export interface AllocOptions {
  /** Alignment of the block, a power of two up to the page size (default 16, as malloc). */
  readonly align?: number;
  /** `'rw'`-style letters or {@link Permission} bits (default read+write). */
  readonly permissions?: string | number;
  /**
   * Contents: `'zero'` (default, defined zeros), a byte value (defined), or `'undefined'` so that
   * reading it before writing shows up as undefined (`track`) or stops the machine (`strict`).
   */
  readonly fill?: 'zero' | 'undefined' | number;
}

/** Options of the reads that check definedness. */
export interface ReadOptions {
  /** Return undefined bits as 0 instead of throwing {@link UndefinedMemoryError}. */
  readonly allowUndefined?: boolean;
}

/** Thrown when a test reads guest memory that holds undefined bits (it would compare garbage). */
export class UndefinedMemoryError extends Error {
  override readonly name = 'UndefinedMemoryError';
  constructor(
    /** Address of the first undefined byte. */
    readonly address: bigint,
    what: string,
  ) {
    super(
      `${what}: the byte at 0x${address.toString(16)} is undefined (never written, or computed from undefined bits); ` +
        'pass { allowUndefined: true } to read it as 0',
    );
  }
}

/** Integer typed arrays accepted by `writeArray`, with their element width. */
export type IntegerTypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** Element widths of guest arrays. */
export type ElementBits = 8 | 16 | 32 | 64;

/** Options of `readArray`. */
export interface ReadArrayOptions {
  /** Read elements as two's complement (default unsigned). */
  readonly signed?: boolean;
}

/** What the helpers need of a machine. */
export interface GuestHost {
  readonly mode: 32 | 64;
  readonly policy: UndefinedPolicy;
  readonly memory: Memory;
}

const typedArrayBits = (values: IntegerTypedArray): ElementBits =>
  (values.BYTES_PER_ELEMENT * 8) as ElementBits;

/** Little-endian bytes of the low `byteCount` bytes of `value`. */
export function littleEndian(value: bigint, byteCount: number): Uint8Array {
  const bytes = new Uint8Array(byteCount);
  for (let i = 0; i < byteCount; i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return bytes;
}

/** Checks `value` fits `bits` as a signed or unsigned integer; returns its two's-complement pattern. */
export function integerPattern(value: unknown, bits: number, describe: () => string): bigint {
  let integer: bigint;
  if (typeof value === 'bigint') integer = value;
  else if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new RangeError(`${describe()} is ${value}: not an integer`);
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`${describe()} is ${value}: beyond 2^53 a number is not exact; pass a bigint`);
    }
    integer = BigInt(value);
  } else {
    throw new TypeError(`${describe()} is a ${typeof value}: pass a number or a bigint`);
  }
  const low = -(1n << BigInt(bits - 1));
  const high = (1n << BigInt(bits)) - 1n;
  if (integer < low || integer > high) {
    throw new RangeError(
      `${describe()} is ${integer}: it does not fit in ${bits} bits (accepted: ${low}..${high})`,
    );
  }
  return BigInt.asUintN(bits, integer);
}

/** The heap, the stack and the typed accessors of one machine. */
export class GuestMemory {
  private heapCursor = HEAP_BASE;
  /** Top of the stack mapped by {@link ensureStack}, once it has been. */
  private stackTop: bigint | null = null;

  constructor(private readonly host: GuestHost) {}

  /** Allocates `size` bytes; the block ends right before an unmapped guard page. Returns its address. */
  alloc(size: number, options: AllocOptions = {}): bigint {
    if (!Number.isSafeInteger(size) || size < 0)
      throw new RangeError(`alloc size ${size}: expected a whole number >= 0`);
    const align = options.align ?? 16;
    if (!Number.isInteger(align) || align < 1 || align > PAGE_SIZE || (align & (align - 1)) !== 0) {
      throw new RangeError(`alloc align ${align}: expected a power of two from 1 to ${PAGE_SIZE}`);
    }
    const permissions =
      typeof options.permissions === 'string'
        ? parsePermissions(options.permissions)
        : (options.permissions ?? Permission.read | Permission.write);
    const fill = options.fill ?? 'zero';
    if (typeof fill === 'number' && (!Number.isInteger(fill) || fill < 0 || fill > 255)) {
      throw new RangeError(`alloc fill ${fill}: expected 'zero', 'undefined' or a byte 0..255`);
    }
    const rounded = Math.ceil(size / align) * align;
    const span = Math.max(1, Math.ceil(rounded / PAGE_SIZE)) * PAGE_SIZE;
    const region = findFreeRange(this.host.memory, span, this.heapCursor, HEAP_LIMIT);
    // The slack before the block is undefined: reading it is reading outside what was allocated.
    this.host.memory.map(region, span, permissions, 'undefined');
    const address = region + BigInt(span - rounded);
    if (fill !== 'undefined' && size > 0) {
      this.host.memory.writeBytes(address, new Uint8Array(size).fill(fill === 'zero' ? 0 : fill));
    }
    this.heapCursor = region + BigInt(span + PAGE_SIZE);
    return address;
  }

  /**
   * The top of the stack `call` uses, chosen at the first call: the test's own stack when RSP/ESP
   * points into mapped memory then, else a stack of `size` bytes below {@link STACK_TOP}.
   */
  ensureStack(stackPointer: Value, size = DEFAULT_STACK_SIZE): bigint {
    if (this.stackTop !== null) return this.stackTop;
    if (
      stackPointer.isDefined &&
      stackPointer.bits > 256n &&
      this.host.memory.isMapped(stackPointer.bits - 256n, 256)
    ) {
      // Remember it: each call starts from the same top, so frames do not creep down the stack.
      this.stackTop = stackPointer.bits;
      return this.stackTop;
    }
    if (!Number.isSafeInteger(size) || size < PAGE_SIZE || size > MAX_STACK_SIZE) {
      throw new RangeError(`stack size ${size}: expected ${PAGE_SIZE}..${MAX_STACK_SIZE} bytes`);
    }
    // Undefined like real stack garbage, so reading a local before writing it is caught.
    this.host.memory.map(STACK_TOP - BigInt(size), size, Permission.read | Permission.write, 'undefined');
    this.stackTop = STACK_TOP;
    return STACK_TOP;
  }

  /** Copies bytes into mapped guest memory (permissions are not checked: this is the test's door). */
  writeBytes(address: Address, bytes: Uint8Array | readonly number[]): void {
    const data =
      bytes instanceof Uint8Array
        ? bytes
        : Uint8Array.from(bytes, (byte, index) => {
            integerPattern(byte, 8, () => `byte ${index}`);
            return byte;
          });
    this.host.memory.writeBytes(toAddress(address), data);
  }

  /** Reads `length` bytes; throws {@link UndefinedMemoryError} on undefined bits unless allowed. */
  readBytes(address: Address, length: number, options: ReadOptions = {}): Uint8Array {
    const start = toAddress(address);
    const { bytes, undefinedBits } = this.host.memory.readBytes(start, length);
    if (!options.allowUndefined && this.host.policy !== 'zero') {
      const index = undefinedBits.findIndex((mask) => mask !== 0);
      if (index >= 0)
        throw new UndefinedMemoryError(
          start + BigInt(index),
          `readBytes(0x${start.toString(16)}, ${length})`,
        );
    }
    return bytes;
  }

  /** Writes `text` as UTF-8 plus a NUL at `address`, or in a new block; returns the address. */
  writeString(text: string, address?: Address): bigint {
    const encoded = new TextEncoder().encode(text);
    const bytes = new Uint8Array(encoded.length + 1);
    bytes.set(encoded);
    const target = address === undefined ? this.alloc(bytes.length, { align: 1 }) : toAddress(address);
    this.host.memory.writeBytes(target, bytes);
    return target;
  }

  /** Reads a NUL-terminated UTF-8 string (at most `maxLength` bytes before the NUL). */
  readString(address: Address, options: ReadOptions & { maxLength?: number } = {}): string {
    const start = toAddress(address);
    const maxLength = options.maxLength ?? 1 << 20;
    const bytes: number[] = [];
    for (let offset = 0; ; offset++) {
      if (offset > maxLength) {
        throw new RangeError(`readString(0x${start.toString(16)}): no NUL within ${maxLength} bytes`);
      }
      const [byte] = this.readBytes(start + BigInt(offset), 1, options);
      if (byte === 0) break;
      bytes.push(byte);
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
    } catch {
      throw new RangeError(
        `readString(0x${start.toString(16)}): the ${bytes.length} bytes are not valid UTF-8`,
      );
    }
  }

  /**
   * Writes integers as little-endian elements of `elementBits` (taken from a typed array when not
   * given) at `target`, or in a new block (`'alloc'`); returns the address.
   */
  writeArray(
    target: Address | 'alloc',
    values: readonly (number | bigint)[] | IntegerTypedArray,
    elementBits?: ElementBits,
  ): bigint {
    const isTyped = ArrayBuffer.isView(values);
    if (isTyped && elementBits !== undefined && elementBits !== typedArrayBits(values)) {
      throw new RangeError(
        `writeArray: a ${values.constructor.name} has ${typedArrayBits(values)}-bit elements, not ${elementBits}`,
      );
    }
    const bits = elementBits ?? (isTyped ? typedArrayBits(values) : undefined);
    if (bits !== 8 && bits !== 16 && bits !== 32 && bits !== 64) {
      throw new RangeError(
        `writeArray: elementBits must be 8, 16, 32 or 64 (got ${bits ?? 'none'} for a plain array)`,
      );
    }
    const byteCount = bits / 8;
    const bytes = new Uint8Array(values.length * byteCount);
    Array.from(values as ArrayLike<number | bigint>).forEach((value, index) => {
      const pattern = integerPattern(value, bits, () => `writeArray element ${index}`);
      bytes.set(littleEndian(pattern, byteCount), index * byteCount);
    });
    const address =
      target === 'alloc' ? this.alloc(bytes.length, { align: Math.max(byteCount, 16) }) : toAddress(target);
    if (bytes.length > 0) this.host.memory.writeBytes(address, bytes);
    return address;
  }

  /**
   * Reads `count` little-endian elements: numbers for widths up to 32 bits, bigints for 64, and
   * `Undefined` for an element with any undefined bit (in `zero` policy nothing is undefined).
   */
  readArray(
    address: Address,
    count: number,
    elementBits: ElementBits,
    options: ReadArrayOptions = {},
  ): Coarse[] {
    if (elementBits !== 8 && elementBits !== 16 && elementBits !== 32 && elementBits !== 64) {
      throw new RangeError(`readArray: elementBits must be 8, 16, 32 or 64, not ${elementBits}`);
    }
    const byteCount = elementBits / 8;
    const start = toAddress(address);
    const { bytes, undefinedBits } = this.host.memory.readBytes(start, count * byteCount);
    const result: Coarse[] = [];
    for (let index = 0; index < count; index++) {
      let bits = 0n;
      let mask = 0n;
      for (let i = byteCount - 1; i >= 0; i--) {
        bits = (bits << 8n) | BigInt(bytes[index * byteCount + i]);
        mask = (mask << 8n) | BigInt(undefinedBits[index * byteCount + i]);
      }
      const value = Value.of(bits, elementBits, this.host.policy === 'zero' ? 0n : mask);
      result.push(options.signed ? value.toSignedCoarse() : value.toCoarse());
    }
    return result;
  }
}
