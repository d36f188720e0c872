/**
 * What "surviving memory" means for vial's leak tests, read synchronously right after a full GC.
 */
import v8 from 'node:v8';

/** One reading of the isolate's memory, in bytes. */
export interface MemorySample {
  /**
   * Live bytes in the V8 heap, all spaces except the code spaces. Compiled machine code comes and
   * goes as functions are optimised and deoptimised (±200 KB swings), which is JIT noise, not a leak;
   * the bytecode and data of your objects are all counted.
   */
  readonly heapBytes: number;
  /** Live bytes in the code spaces (reported, not used in the decision). */
  readonly codeBytes: number;
  /**
   * Memory owned by JS objects but allocated outside the V8 heap: ArrayBuffer and Buffer contents,
   * WebAssembly.Memory pages, native handles (`process.memoryUsage().external`).
   */
  readonly externalBytes: number;
  /** The ArrayBuffer / Buffer part of {@link externalBytes} (already included there). */
  readonly arrayBufferBytes: number;
  /** `heapBytes + externalBytes`: the quantity leak tests track. */
  readonly totalBytes: number;
}

function isCodeSpace(spaceName: string): boolean {
  return spaceName.startsWith('code_');
}

/** Reads the current memory of this isolate. Call it right after a full GC. */
export function sampleMemory(): MemorySample {
  let heapBytes = 0;
  let codeBytes = 0;
  for (const space of v8.getHeapSpaceStatistics()) {
    if (isCodeSpace(space.space_name)) codeBytes += space.space_used_size;
    else heapBytes += space.space_used_size;
  }
  const usage = process.memoryUsage();
  return {
    heapBytes,
    codeBytes,
    externalBytes: usage.external,
    arrayBufferBytes: usage.arrayBuffers,
    totalBytes: heapBytes + usage.external,
  };
}
