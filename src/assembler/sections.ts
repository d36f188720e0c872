/**
 * Sections of the output and how a flat image is laid out from them.
 *
 * NASM `-f bin` (NASM manual §8.1.3): `.text` comes first at the origin, then the other progbits
 * sections in order of first use, then nobits sections (`.bss`); each starts at a multiple of its
 * alignment (default 4 for sections other than `.text`, raised by `align` inside the section).
 * GNU as has no flat format; vial lays GNU sections out the same way, with alignment 1 unless raised
 * by `.p2align`/`.balign`, and lets callers pin any section's address (as a linker script would).
 */

/** One output section. */
export interface AssembledSection {
  readonly name: string;
  /** Address of the first byte. */
  readonly address: bigint;
  /** Contents (all zeros, and not part of the flat image, for nobits sections). */
  readonly bytes: Uint8Array;
  /** True for sections that occupy no file space (`.bss`). */
  readonly nobits: boolean;
  /** Size in bytes (for nobits sections too, whose `bytes` are empty). */
  readonly size: number;
  /** Alignment the section asked for, in bytes. */
  readonly alignment: number;
}

/** True for a section that holds no initialized data (SysV ABI: `.bss`, `.tbss`, NASM `nobits`). */
export function isNobitsSection(name: string): boolean {
  return name === '.bss' || name.startsWith('.bss.') || name === '.tbss' || name.startsWith('.tbss.');
}

/** The section statements go to before any `section` directive. */
export const DEFAULT_SECTION = '.text';

/** Rounds `value` up to a multiple of `alignment` (a power of two). */
export function alignUp(value: bigint, alignment: number): bigint {
  const step = BigInt(alignment);
  return ((value + step - 1n) / step) * step;
}

/** Sizes and alignments of the sections after one pass, in order of first use. */
export interface SectionExtent {
  readonly name: string;
  readonly size: bigint;
  readonly alignment: number;
}

/**
 * Start addresses of the sections: `.text` first at `origin`, then progbits sections, then nobits
 * sections, each aligned; `pinned` addresses win.
 */
export function layOutSections(
  extents: readonly SectionExtent[],
  origin: bigint,
  pinned: ReadonlyMap<string, bigint>,
): Map<string, bigint> {
  const ordered = [
    ...extents.filter((extent) => extent.name === DEFAULT_SECTION),
    ...extents.filter((extent) => extent.name !== DEFAULT_SECTION && !isNobitsSection(extent.name)),
    ...extents.filter((extent) => isNobitsSection(extent.name)),
  ];
  const addresses = new Map<string, bigint>();
  let next = origin;
  for (const extent of ordered) {
    const pinnedAddress = pinned.get(extent.name);
    const address = pinnedAddress ?? (addresses.size === 0 ? next : alignUp(next, extent.alignment));
    addresses.set(extent.name, address);
    next = address + extent.size;
  }
  return addresses;
}
