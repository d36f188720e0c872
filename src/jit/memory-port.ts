/**
 * Memory access for compiled blocks: loads and stores of 1, 2, 4 or 8 bytes with a one-entry page
 * cache for reads and one for writes, so the common access costs a compare and a DataView read.
 * Results come back in fields (no allocation). Anything unusual — a page boundary, an unmapped or
 * protected page, a non-canonical address — returns false, and the block exits *before* the
 * instruction, which the interpreter then executes and reports exactly (faults are precise).
 * Stores never take the fast path to a page that holds decoded code: such a store exits the block
 * and the interpreter does it, so the machine's write hook sees self-modifying code.
 */
import { type Memory, PAGE_SIZE, type Page, Permission } from '../machine/memory.js';

const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

/** Loads and stores for compiled code, over one machine's memory. */
export class MemoryPort {
  /** The last load: low and high words, and their undefined masks. */
  low = 0;
  high = 0;
  undefinedLow = 0;
  undefinedHigh = 0;

  // The cached pages, read directly by compiled code for the common access (see `expressions.ts`).
  readPageNumber = -1;
  readPage: Page | null = null;
  readData: DataView = EMPTY_VIEW;
  readUndefined: DataView = EMPTY_VIEW;
  writePageNumber = -1;
  writePage: Page | null = null;
  writeData: DataView = EMPTY_VIEW;
  writeUndefined: DataView = EMPTY_VIEW;

  constructor(
    private readonly memory: Memory,
    /** True when undefined masks are kept (track): in zero mode loads ignore the shadow. */
    private readonly keepUndefined: boolean,
    /** Whether a page holds decoded code (writes to it must go through the write hook). */
    private readonly isCodePage: (pageNumber: number) => boolean,
  ) {}

  /** Forgets cached pages (after mapping changes or when a page becomes a code page). */
  flush(): void {
    this.readPageNumber = this.writePageNumber = -1;
    this.readPage = this.writePage = null;
    this.readData = this.readUndefined = this.writeData = this.writeUndefined = EMPTY_VIEW;
  }

  /**
   * The page for reading `bytes` bytes at (low, high), or null when the fast path does not apply.
   * Addresses at or above 2^47 (non-canonical or the kernel half) always take the slow path.
   */
  private pageForRead(address: number, bytes: number): Page | null {
    const pageNumber = Math.floor(address / PAGE_SIZE);
    if (pageNumber === this.readPageNumber) return this.readPage;
    const page = this.memory.pageByNumber(pageNumber);
    if (!page || (page.permissions & Permission.read) === 0 || address + bytes > 2 ** 47) return null;
    this.readPageNumber = pageNumber;
    this.readPage = page;
    this.readData = page.dataView;
    this.readUndefined = page.undefinedView;
    return page;
  }

  private pageForWrite(address: number): Page | null {
    const pageNumber = Math.floor(address / PAGE_SIZE);
    if (pageNumber === this.writePageNumber) return this.writePage;
    const page = this.memory.pageByNumber(pageNumber);
    if (!page || (page.permissions & Permission.write) === 0 || address >= 2 ** 47) return null;
    if (this.isCodePage(pageNumber)) return null;
    this.writePageNumber = pageNumber;
    this.writePage = page;
    this.writeData = page.dataView;
    this.writeUndefined = page.undefinedView;
    return page;
  }

  /** Loads `bytes` (1, 2, 4 or 8) at `address` into the result fields; false when the fast path cannot. */
  load(address: number, bytes: number): boolean {
    const offset = address % PAGE_SIZE;
    if (offset + bytes > PAGE_SIZE) return false;
    const page = this.pageForRead(address, bytes);
    if (page === null) return false;
    const data = page.dataView,
      shadow = page.undefinedView;
    let low: number,
      high = 0,
      undefinedLow = 0,
      undefinedHigh = 0;
    switch (bytes) {
      case 1:
        low = data.getUint8(offset);
        if (this.keepUndefined) undefinedLow = shadow.getUint8(offset);
        break;
      case 2:
        low = data.getUint16(offset, true);
        if (this.keepUndefined) undefinedLow = shadow.getUint16(offset, true);
        break;
      case 4:
        low = data.getUint32(offset, true);
        if (this.keepUndefined) undefinedLow = shadow.getUint32(offset, true);
        break;
      default:
        low = data.getUint32(offset, true);
        high = data.getUint32(offset + 4, true);
        if (this.keepUndefined) {
          undefinedLow = shadow.getUint32(offset, true);
          undefinedHigh = shadow.getUint32(offset + 4, true);
        }
    }
    this.low = low;
    this.high = high;
    this.undefinedLow = undefinedLow;
    this.undefinedHigh = undefinedHigh;
    return true;
  }

  /** Whether a store of `bytes` at `address` can take the fast path (mapped, writable, not code, one page). */
  canStore(address: number, bytes: number): boolean {
    return address % PAGE_SIZE <= PAGE_SIZE - bytes && this.pageForWrite(address) !== null;
  }

  /**
   * Stores `bytes` bytes of (low, high) with their undefined masks at `address`; call only after
   * {@link canStore}. Undefined bits are stored as 0 with a 1 in the shadow (the canonical form).
   */
  store(
    address: number,
    bytes: number,
    low: number,
    high: number,
    undefinedLow: number,
    undefinedHigh: number,
  ): void {
    const page = this.pageForWrite(address)!;
    const offset = address % PAGE_SIZE;
    const data = page.dataView,
      shadow = page.undefinedView;
    if (!this.keepUndefined) undefinedLow = undefinedHigh = 0;
    switch (bytes) {
      case 1:
        data.setUint8(offset, low & ~undefinedLow);
        shadow.setUint8(offset, undefinedLow);
        break;
      case 2:
        data.setUint16(offset, low & ~undefinedLow, true);
        shadow.setUint16(offset, undefinedLow, true);
        break;
      case 4:
        data.setUint32(offset, low & ~undefinedLow, true);
        shadow.setUint32(offset, undefinedLow, true);
        break;
      default:
        data.setUint32(offset, low & ~undefinedLow, true);
        data.setUint32(offset + 4, high & ~undefinedHigh, true);
        shadow.setUint32(offset, undefinedLow, true);
        shadow.setUint32(offset + 4, undefinedHigh, true);
    }
  }
}
