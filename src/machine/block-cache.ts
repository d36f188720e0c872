/**
 * A machine's compiled blocks (src/jit/): which addresses have one, a direct-mapped cache in front
 * (dispatch is hot), how often the dispatcher met the addresses that have none yet (code that runs
 * once is interpreted: compiling costs more than it saves), and the bounds the blocks were built
 * for (blocks stop at the end of code and at the return sentinel).
 */
import {
  type BlockEnvironment,
  type BlockInstruction,
  type CompiledBlock,
  compileBlock,
} from '../jit/block.js';

/** Entries of the direct-mapped cache (a power of two). */
const RECENT_BLOCKS = 1024;

export class BlockCache {
  /** Compiled blocks by start address (null: the first instruction must be interpreted). */
  private readonly blocks = new Map<number, CompiledBlock | null>();
  /** A direct-mapped cache in front of {@link blocks}, by the address's low bits. */
  private readonly recent: (CompiledBlock | null)[] = new Array(RECENT_BLOCKS).fill(null);
  /** Times each address without a block was met. */
  private readonly heat = new Map<number, number>();
  private end = -1;
  private sentinel = -1;
  private readonly environment: BlockEnvironment;
  /**
   * Why compiling to JavaScript failed, if it did (e.g. a Content Security Policy that forbids
   * `new Function`); from then on {@link at} answers null and the machine interprets.
   */
  error: Error | null = null;

  constructor(
    environment: Omit<BlockEnvironment, 'fetch'>,
    fetch: (address: number) => BlockInstruction | null,
    /** Meetings of an address before it gets a block (at least 1). */
    private readonly threshold: number,
  ) {
    this.environment = {
      ...environment,
      fetch: (address) => (address === this.end || address === this.sentinel ? null : fetch(address)),
    };
  }

  /** Blocks stop at `end` and `sentinel` (-1: none); blocks built for other bounds are forgotten. */
  setBounds(end: number, sentinel: number): void {
    if (end === this.end && sentinel === this.sentinel) return;
    this.forget();
    this.end = end;
    this.sentinel = sentinel;
  }

  /** The block starting at `address`, compiled once the address is hot; null: interpret it. */
  at(address: number): CompiledBlock | null {
    if (this.error !== null) return null;
    const recent = this.recent[address & (RECENT_BLOCKS - 1)];
    if (recent !== null && recent.start === address) return recent;
    let block = this.blocks.get(address);
    if (block === undefined) {
      const heat = (this.heat.get(address) ?? 0) + 1;
      if (heat < this.threshold) {
        this.heat.set(address, heat);
        return null;
      }
      try {
        block = compileBlock(address, this.environment);
      } catch (error) {
        // The interpreter is the reference: fall back to it rather than fail the run.
        this.error = error instanceof Error ? error : new Error(String(error));
        return null;
      }
      this.blocks.set(address, block);
    }
    if (block !== null) this.recent[address & (RECENT_BLOCKS - 1)] = block;
    return block;
  }

  /** Forgets every block (self-modifying code, new bounds). */
  forget(): void {
    this.blocks.clear();
    this.heat.clear();
    this.recent.fill(null);
  }
}
