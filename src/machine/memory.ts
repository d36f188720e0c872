/**
 * Guest memory: sparse 4 KiB pages with read/write/execute permissions and an undefinedness shadow
 * (one mask byte per data byte: a 1 bit marks an unknown bit). Bytes that were mapped but never
 * written are undefined unless the mapping says otherwise. Addresses are plain numbers (x86-64
 * user addresses fit in 48 bits, well inside a double's exact range).
 */

/** Page size in bytes (SDM Vol. 3A §4.3). */
export const PAGE_SIZE = 4096;

/** Access permissions of a page, as bits. */
export const Permission = Object.freeze({ read: 1, write: 2, execute: 4 });

/** What kind of access faulted. */
export type AccessKind = 'read' | 'write' | 'execute';

/** A page fault: the address that could not be accessed and how. */
export interface MemoryFault {
  readonly address: bigint;
  readonly access: AccessKind;
  readonly reason: 'unmapped' | 'protection';
}

/** One mapped page: its bytes, their undefined masks, and little-endian views of both (for compiled code). */
export interface Page {
  readonly data: Uint8Array;
  readonly undefinedBits: Uint8Array;
  readonly dataView: DataView;
  readonly undefinedView: DataView;
  permissions: number;
}

/** Thrown for a mapping the caller should not have asked for (bad arguments, limit exceeded). */
export class MemoryMapError extends Error {
  override readonly name = 'MemoryMapError';
}

/** Parses `rwx`-style permission text into {@link Permission} bits. */
export function parsePermissions(text: string): number {
  if (!/^[rwx-]{1,3}$/.test(text)) throw new MemoryMapError(`bad permissions '${text}': use letters r, w, x`);
  return (text.includes('r') ? 1 : 0) | (text.includes('w') ? 2 : 0) | (text.includes('x') ? 4 : 0);
}

/** Sparse paged memory with permissions and an undefinedness shadow. */
export class Memory {
  private readonly pages = new Map<number, Page>();
  /** The last fault, set when an access returns false. */
  lastFault: MemoryFault | null = null;
  /** Called with the page number after every successful write (for code-cache invalidation). */
  onWrite: ((page: number) => void) | null = null;
  /** Called after pages are mapped or their permissions change (compiled code caches page lookups). */
  onMap: (() => void) | null = null;

  constructor(
    /** Most bytes that may be mapped in total (a guest cannot exhaust the host). */
    readonly maxMappedBytes = 256 * 1024 * 1024,
    /**
     * False for a `zero`-policy machine, where nothing is undefined: an `'undefined'` fill maps
     * defined zeros and undefined bits written read as defined 0 (the policy's "undefined is 0"),
     * so the shadow stays all-zero and compiled stores need not write it.
     */
    readonly keepsUndefined = true,
  ) {}

  /** Bytes mapped so far. */
  get mappedBytes(): number {
    return this.pages.size * PAGE_SIZE;
  }

  /**
   * Maps the pages covering [address, address + length) with `permissions`. New pages are filled
   * with zeros that are *defined* (`fill: 'zero'`) or with undefined bytes (`fill: 'undefined'`);
   * pages already mapped keep their contents and get the new permissions.
   */
  map(address: bigint, length: number, permissions: number, fill: 'zero' | 'undefined'): void {
    if (length <= 0) throw new MemoryMapError(`cannot map ${length} bytes`);
    const start = Number(address);
    if (address < 0n || start + length > 2 ** 48)
      throw new MemoryMapError(`address range 0x${address.toString(16)}+${length} is outside user space`);
    const first = Math.floor(start / PAGE_SIZE);
    const last = Math.floor((start + length - 1) / PAGE_SIZE);
    const newPages = [];
    for (let page = first; page <= last; page++) if (!this.pages.has(page)) newPages.push(page);
    if (this.mappedBytes + newPages.length * PAGE_SIZE > this.maxMappedBytes) {
      throw new MemoryMapError(
        `mapping ${length} bytes at 0x${address.toString(16)} exceeds the limit of ${this.maxMappedBytes} mapped bytes`,
      );
    }
    for (let page = first; page <= last; page++) {
      const existing = this.pages.get(page);
      if (existing) {
        existing.permissions = permissions;
        this.onMap?.();
        continue;
      }
      const undefinedBits = new Uint8Array(PAGE_SIZE);
      if (fill === 'undefined' && this.keepsUndefined) undefinedBits.fill(0xff);
      const data = new Uint8Array(PAGE_SIZE);
      this.pages.set(page, {
        data,
        undefinedBits,
        dataView: new DataView(data.buffer),
        undefinedView: new DataView(undefinedBits.buffer),
        permissions,
      });
      this.onMap?.();
    }
  }

  /** True when every byte of the range is mapped. */
  isMapped(address: bigint, length: number): boolean {
    const start = Number(address);
    for (
      let page = Math.floor(start / PAGE_SIZE);
      page <= Math.floor((start + length - 1) / PAGE_SIZE);
      page++
    ) {
      if (!this.pages.has(page)) return false;
    }
    return true;
  }

  private page(address: number, access: AccessKind, need: number): Page | null {
    const page = this.pages.get(Math.floor(address / PAGE_SIZE));
    if (!page) {
      this.lastFault = { address: BigInt(address), access, reason: 'unmapped' };
      return null;
    }
    if ((page.permissions & need) === 0) {
      this.lastFault = { address: BigInt(address), access, reason: 'protection' };
      return null;
    }
    return page;
  }

  /**
   * The page with this number, if mapped (compiled code reads and writes it directly).
   * @internal
   */
  pageByNumber(pageNumber: number): Page | undefined {
    return this.pages.get(pageNumber);
  }

  /** Checks that `length` bytes at `address` allow `access`; records the fault if not. */
  check(address: number, length: number, access: AccessKind): boolean {
    const need =
      access === 'read' ? Permission.read : access === 'write' ? Permission.write : Permission.execute;
    for (let offset = 0; offset < length; offset++) {
      if (!this.page(address + offset, access, need)) return false;
      // Skip to the next page: one check per page is enough.
      offset += PAGE_SIZE - 1 - ((address + offset) % PAGE_SIZE);
    }
    return true;
  }

  /** Reads one byte and its undefined mask into `out[0..1]`; false on a fault. */
  readByte(address: number, access: 'read' | 'execute', out: Uint8Array): boolean {
    const page = this.page(address, access, access === 'read' ? Permission.read : Permission.execute);
    if (!page) return false;
    const offset = address % PAGE_SIZE;
    out[0] = page.data[offset];
    out[1] = page.undefinedBits[offset];
    return true;
  }

  /** Writes one byte with its undefined mask (permissions must have been checked). */
  writeByteUnchecked(address: number, value: number, undefinedBits: number): void {
    const pageNumber = Math.floor(address / PAGE_SIZE);
    const page = this.pages.get(pageNumber)!;
    const offset = address % PAGE_SIZE;
    page.data[offset] = value & ~undefinedBits;
    page.undefinedBits[offset] = this.keepsUndefined ? undefinedBits : 0;
    this.onWrite?.(pageNumber);
  }

  /** Copies bytes in (mapping must exist; permissions are ignored: this is the loader's and the test's door). */
  writeBytes(address: bigint, bytes: Uint8Array, undefinedBits?: Uint8Array): void {
    if (!this.isMapped(address, bytes.length)) {
      throw new MemoryMapError(`cannot write ${bytes.length} bytes at 0x${address.toString(16)}: not mapped`);
    }
    const start = Number(address);
    for (let i = 0; i < bytes.length; i++)
      this.writeByteUnchecked(start + i, bytes[i], undefinedBits?.[i] ?? 0);
  }

  /** Copies bytes out with their undefined masks (permissions ignored); unmapped bytes are an error. */
  readBytes(address: bigint, length: number): { bytes: Uint8Array; undefinedBits: Uint8Array } {
    if (!this.isMapped(address, length)) {
      throw new MemoryMapError(`cannot read ${length} bytes at 0x${address.toString(16)}: not mapped`);
    }
    const bytes = new Uint8Array(length);
    const undefinedBits = new Uint8Array(length);
    const start = Number(address);
    for (let i = 0; i < length; i++) {
      const page = this.pages.get(Math.floor((start + i) / PAGE_SIZE))!;
      bytes[i] = page.data[(start + i) % PAGE_SIZE];
      undefinedBits[i] = page.undefinedBits[(start + i) % PAGE_SIZE];
    }
    return { bytes, undefinedBits };
  }

  /** The mapped regions, coalesced, with their permissions (for dumps and snapshots). */
  regions(): { address: bigint; length: number; permissions: number }[] {
    const numbers = [...this.pages.keys()].sort((a, b) => a - b);
    const regions: { address: bigint; length: number; permissions: number }[] = [];
    for (const number of numbers) {
      const permissions = this.pages.get(number)!.permissions;
      const last = regions[regions.length - 1];
      if (
        last &&
        Number(last.address) + last.length === number * PAGE_SIZE &&
        last.permissions === permissions
      ) {
        last.length += PAGE_SIZE;
      } else {
        regions.push({ address: BigInt(number * PAGE_SIZE), length: PAGE_SIZE, permissions });
      }
    }
    return regions;
  }
}
