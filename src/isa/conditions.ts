/**
 * The sixteen condition codes of Jcc, SETcc and CMOVcc (SDM Vol. 1 Appendix B, Table B-1): the low
 * four bits of the opcode (`70+cc`, `0F 80+cc`, `0F 90+cc`, `0F 40+cc`) select one.
 */
import type { FlagName } from './spec.js';

/** One condition code. */
export interface ConditionCode {
  /** The 4-bit encoding. */
  readonly number: number;
  /** Canonical mnemonic suffix (the one Intel's and GNU's disassemblers print). */
  readonly suffix: string;
  /** Other suffixes assemblers accept for the same encoding. */
  readonly aliases: readonly string[];
  /** Flags the condition reads. */
  readonly reads: readonly FlagName[];
}

/** The condition codes in encoding order. */
export const conditionCodes: readonly ConditionCode[] = [
  { number: 0x0, suffix: 'o', aliases: [], reads: ['o'] },
  { number: 0x1, suffix: 'no', aliases: [], reads: ['o'] },
  { number: 0x2, suffix: 'b', aliases: ['c', 'nae'], reads: ['c'] },
  { number: 0x3, suffix: 'ae', aliases: ['nb', 'nc'], reads: ['c'] },
  { number: 0x4, suffix: 'e', aliases: ['z'], reads: ['z'] },
  { number: 0x5, suffix: 'ne', aliases: ['nz'], reads: ['z'] },
  { number: 0x6, suffix: 'be', aliases: ['na'], reads: ['z', 'c'] },
  { number: 0x7, suffix: 'a', aliases: ['nbe'], reads: ['z', 'c'] },
  { number: 0x8, suffix: 's', aliases: [], reads: ['s'] },
  { number: 0x9, suffix: 'ns', aliases: [], reads: ['s'] },
  { number: 0xa, suffix: 'p', aliases: ['pe'], reads: ['p'] },
  { number: 0xb, suffix: 'np', aliases: ['po'], reads: ['p'] },
  { number: 0xc, suffix: 'l', aliases: ['nge'], reads: ['o', 's'] },
  { number: 0xd, suffix: 'ge', aliases: ['nl'], reads: ['o', 's'] },
  { number: 0xe, suffix: 'le', aliases: ['ng'], reads: ['o', 's', 'z'] },
  { number: 0xf, suffix: 'g', aliases: ['nle'], reads: ['o', 's', 'z'] },
];
