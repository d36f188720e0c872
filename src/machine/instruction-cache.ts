/**
 * Decoded instructions with their semantics, shared by every machine of the process. Building the
 * IR of an instruction costs far more than decoding it, and tests create many machines that run the
 * same code; the key is the mode, the address (RIP-relative operands and branch targets are
 * constants in the IR) and the bytes. Each entry has an id, which compiled blocks use to recognise a
 * trace they have compiled before. Bounded; the oldest entries go first.
 */
import type { Instruction } from '../decoder/instruction.js';
import { CompiledStatements } from '../ir/evaluate.js';
import type { Statement } from '../ir/expression.js';
import { buildSemantics } from '../semantics/index.js';

/** One decoded instruction and its semantics. Immutable; `compiled` is reusable, not re-entrant. */
export interface DecodedInstruction {
  /** Unique for the process: equal ids mean equal mode, address and bytes. */
  readonly id: number;
  readonly instruction: Instruction;
  readonly statements: readonly Statement[];
  readonly compiled: CompiledStatements;
}

const LIMIT = 65_536;
const entries = new Map<string, DecodedInstruction>();
let nextId = 0;

/**
 * The decoded instruction `decoded` (its bytes are `bytes[0 .. decoded.length)`) at `address` with its
 * semantics, built once per process. Throws what `buildSemantics` throws (unsupported instructions).
 */
export function decodedInstruction(
  mode: 32 | 64,
  address: number,
  decoded: Instruction,
  bytes: Uint8Array,
): DecodedInstruction {
  let key = `${mode}:${address}:`;
  for (let i = 0; i < decoded.length; i++) key += String.fromCharCode(bytes[i]);
  const known = entries.get(key);
  if (known) return known;
  const statements = buildSemantics(decoded, BigInt(address));
  const entry = {
    id: nextId++,
    instruction: decoded,
    statements,
    compiled: new CompiledStatements(statements),
  };
  if (entries.size >= LIMIT) entries.delete(entries.keys().next().value as string);
  entries.set(key, entry);
  return entry;
}
