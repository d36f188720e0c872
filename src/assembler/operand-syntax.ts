/**
 * Pieces of operand syntax both dialects share: size keywords, register recognition, and turning the
 * register terms of an address into a checked {@link MemoryOperand}.
 */
import {
  isRegisterName,
  type RegisterName,
  type SegmentRegister,
  segmentRegisters,
} from '../isa/registers.js';
import { SourceError } from './diagnostics.js';
import type { OperandSize } from './statements.js';

/** NASM size keywords (NASM manual §3.1) and their sizes in bits. */
export const NASM_SIZE_KEYWORDS: ReadonlyMap<string, OperandSize> = new Map([
  ['byte', 8],
  ['word', 16],
  ['dword', 32],
  ['qword', 64],
  ['tword', 80],
  ['oword', 128],
  ['yword', 256],
]);

/** GNU Intel-syntax size keywords, used as `DWORD PTR` (GNU as manual §9.16.3.1). */
export const GNU_SIZE_KEYWORDS: ReadonlyMap<string, OperandSize> = new Map([
  ['byte', 8],
  ['word', 16],
  ['dword', 32],
  ['fword', 48],
  ['qword', 64],
  ['tbyte', 80],
  ['oword', 128],
  ['xmmword', 128],
  ['ymmword', 256],
]);

/** Instruction prefixes written as words before the mnemonic. */
export const PREFIX_WORDS: ReadonlySet<string> = new Set([
  'lock',
  'rep',
  'repe',
  'repz',
  'repne',
  'repnz',
  'xacquire',
  'xrelease',
  'bnd',
  'notrack',
  'o16',
  'o32',
  'o64',
  'a16',
  'a32',
  'a64',
  'data16',
  'data32',
  'addr16',
  'addr32',
  'rex',
  'rex.w',
]);

/** The register named by `word` (case-insensitive), if it is one. */
export function asRegister(word: string): RegisterName | undefined {
  const lower = word.toLowerCase();
  return isRegisterName(lower) ? lower : undefined;
}

/** The segment register named by `word`, if it is one. */
export function asSegmentRegister(word: string): SegmentRegister | undefined {
  const lower = word.toLowerCase() as SegmentRegister;
  return segmentRegisters.includes(lower) ? lower : undefined;
}

/** Size in bits as a keyword people know, for messages (`32` → `dword`). */
export function sizeName(bits: number): string {
  for (const [name, size] of NASM_SIZE_KEYWORDS) if (size === bits) return name;
  return `${bits}-bit`;
}

/** Throws when `condition` is false; keeps parsers short. */
export function require(condition: boolean, message: string, column: number): asserts condition {
  if (!condition) throw new SourceError(message, column);
}
