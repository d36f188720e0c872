/**
 * Where the machine's state lives in its `Uint32Array`: one slot of `SLOT_WORDS` words (value low,
 * high, undefined low, high) per general-purpose register, the instruction pointer, each flag and
 * the FS/GS bases. The interpreter and compiled blocks both address state through this layout.
 */
import type { FlagBit, Location } from '../ir/expression.js';
import { SLOT_WORDS } from '../value/layout.js';

export const GPR_COUNT = 16;
export const IP_SLOT = GPR_COUNT;
export const FLAG_ORDER: readonly FlagBit[] = ['CF', 'PF', 'AF', 'ZF', 'SF', 'OF', 'DF'];
export const FLAG_SLOT: Readonly<Record<FlagBit, number>> = Object.fromEntries(
  FLAG_ORDER.map((flag, index) => [flag, IP_SLOT + 1 + index]),
) as Record<FlagBit, number>;
export const FS_BASE_SLOT = IP_SLOT + 1 + FLAG_ORDER.length;
export const GS_BASE_SLOT = FS_BASE_SLOT + 1;
export const STATE_SLOTS = GS_BASE_SLOT + 1;

/** Where a location lives in a machine's state array, for compiled code (null: not in the state). */
export function stateSlotOf(location: Location): { offset: number; lowBit: number; width: number } | null {
  switch (location.kind) {
    case 'gpr':
      return { offset: location.index * SLOT_WORDS, lowBit: location.lowBit, width: location.width };
    case 'flag':
      return { offset: FLAG_SLOT[location.flag] * SLOT_WORDS, lowBit: 0, width: 1 };
    case 'ip':
      return { offset: IP_SLOT * SLOT_WORDS, lowBit: 0, width: 64 };
    case 'segmentBase':
      return {
        offset: (location.segment === 'fs' ? FS_BASE_SLOT : GS_BASE_SLOT) * SLOT_WORDS,
        lowBit: 0,
        width: 64,
      };
    default:
      return null;
  }
}
