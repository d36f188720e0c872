/**
 * Lifting: machine code to expression trees for people — the original vial's purpose, "a disassembler
 * that outputs expression trees instead of text".
 */
import { decodeInstruction } from '../decoder/decoder.js';
import { formatInstruction } from '../disassembler/format.js';
import type { Statement } from '../ir/expression.js';
import { printStatements } from '../ir/print.js';
import type { Mode } from '../isa/spec.js';
import { buildSemantics } from './index.js';

/** One lifted instruction, or the reason it could not be lifted. */
export interface LiftedInstruction {
  readonly address: bigint;
  readonly bytes: Uint8Array;
  /** The stable form name (`DIV_rm32`), or null when the bytes did not decode. */
  readonly form: string | null;
  readonly mnemonic: string | null;
  /** The instruction in NASM syntax (`div ecx`), or null when the bytes did not decode. */
  readonly text: string | null;
  /** The IR statements (empty on error). */
  readonly statements: readonly Statement[];
  /** The statements printed, one per line. */
  readonly lines: readonly string[];
  /** Why the instruction could not be decoded or lifted, else null. */
  readonly error: string | null;
}

/** Options of {@link liftBytes}. */
export interface LiftOptions {
  readonly mode?: Mode;
  /** Address of the first byte (default 0). */
  readonly origin?: bigint;
}

/** Decodes and lifts every instruction in `bytes`. Undecodable bytes produce an entry with an error and stop. */
export function liftBytes(bytes: Uint8Array, options: LiftOptions = {}): LiftedInstruction[] {
  const mode = options.mode ?? 64;
  const origin = options.origin ?? 0n;
  const lifted: LiftedInstruction[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const address = origin + BigInt(offset);
    const decoded = decodeInstruction(bytes, offset, mode);
    if (decoded.status !== 'ok') {
      lifted.push({
        address,
        bytes: bytes.slice(offset, offset + decoded.length),
        form: null,
        mnemonic: decoded.mnemonic,
        text: null,
        statements: [],
        lines: [],
        error: decoded.message,
      });
      break;
    }
    const instructionBytes = bytes.slice(offset, offset + decoded.length);
    const text = formatInstruction(decoded, { syntax: 'nasm', address });
    offset += decoded.length;
    let statements: Statement[] = [];
    let error: string | null = null;
    if (mode === 16) {
      error = '16-bit code decodes but has no semantics';
    } else {
      try {
        statements = buildSemantics(decoded, address);
      } catch (failure) {
        error = failure instanceof Error ? failure.message : String(failure);
      }
    }
    lifted.push({
      address,
      bytes: instructionBytes,
      form: decoded.form.name,
      mnemonic: decoded.mnemonic,
      text,
      statements,
      lines: printStatements(statements),
      error,
    });
  }
  return lifted;
}
