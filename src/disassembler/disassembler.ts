/**
 * Disassembly listings: a run of bytes decoded instruction by instruction, with addresses, raw
 * bytes, labels on branch targets, and data lines (`db 0x0f`) for bytes that do not decode.
 */
import { decodeInstruction } from '../decoder/decoder.js';
import type { DecodeFailure, Instruction } from '../decoder/instruction.js';
import type { Mode } from '../isa/spec.js';
import { branchTargetOf, formatInstruction, type Syntax } from './format.js';

/** Options of {@link disassemble}. */
export interface DisassembleOptions {
  readonly mode: Mode;
  readonly syntax: Syntax;
  /** Address of the first byte (default 0). */
  readonly origin?: bigint;
  /** Name branch targets inside the listing `L_<hex address>` (default true). */
  readonly labels?: boolean;
}

/** One line of a listing: an instruction, or bytes that are not one. */
export interface ListingLine {
  readonly address: bigint;
  readonly bytes: Uint8Array;
  /** The instruction text, or the data directive for undecodable bytes. */
  readonly text: string;
  /** Label defined at this address, if a branch in the listing targets it. */
  readonly label: string | null;
  readonly instruction: Instruction | null;
  /** Why the bytes did not decode (null for instructions). */
  readonly failure: DecodeFailure | null;
}

function hexByte(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** `db 0x0f, 0x58` (NASM) or `.byte 0xf,0x58` (GNU, as objdump prints data). */
function dataDirective(bytes: Uint8Array, syntax: Syntax): string {
  if (syntax === 'nasm') return `db ${Array.from(bytes, (byte) => `0x${hexByte(byte)}`).join(', ')}`;
  return `.byte ${Array.from(bytes, (byte) => `0x${byte.toString(16)}`).join(',')}`;
}

/** Label name for an address. */
export function labelName(address: bigint): string {
  return `L_${address.toString(16)}`;
}

/** Decodes and prints `bytes` as a listing. */
export function disassemble(bytes: Uint8Array, options: DisassembleOptions): ListingLine[] {
  const origin = options.origin ?? 0n;
  const decoded: {
    offset: number;
    length: number;
    instruction: Instruction | null;
    failure: DecodeFailure | null;
  }[] = [];
  const targets = new Set<bigint>();
  let offset = 0;
  while (offset < bytes.length) {
    const result = decodeInstruction(bytes, offset, options.mode);
    if (result.status === 'ok') {
      decoded.push({ offset, length: result.length, instruction: result, failure: null });
      const target = branchTargetOf(result, origin + BigInt(offset));
      if (target !== null) targets.add(target);
      offset += result.length;
    } else {
      const length = result.status === 'unsupported' && result.lengthKnown ? result.length : 1;
      decoded.push({ offset, length, instruction: null, failure: result });
      offset += length;
    }
  }
  const starts = new Set(decoded.map((entry) => origin + BigInt(entry.offset)));
  const labelled = options.labels !== false;
  const labelFor = (address: bigint) => (labelled && starts.has(address) ? labelName(address) : undefined);
  return decoded.map(({ offset: start, length, instruction, failure }) => {
    const address = origin + BigInt(start);
    const lineBytes = bytes.subarray(start, start + length);
    const label = labelled && targets.has(address) ? labelName(address) : null;
    if (instruction) {
      const text = formatInstruction(instruction, {
        syntax: options.syntax,
        address,
        labelFor,
        bytes: lineBytes,
      });
      return { address, bytes: lineBytes, text, label, instruction, failure: null };
    }
    const comment = options.syntax === 'nasm' ? ';' : '#';
    const text = `${dataDirective(lineBytes, options.syntax)}  ${comment} ${failure!.message}`;
    return { address, bytes: lineBytes, text, label, instruction: null, failure };
  });
}

/** Renders a listing as text: `address  bytes  text`, with `label:` lines before branch targets. */
export function renderListing(lines: readonly ListingLine[], addressWidth = 8): string {
  const out: string[] = [];
  for (const line of lines) {
    if (line.label) out.push(`${line.label}:`);
    const address = line.address.toString(16).padStart(addressWidth, '0');
    const raw = Array.from(line.bytes, hexByte).join(' ');
    out.push(`${address}  ${raw.padEnd(30)}  ${line.text}`);
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
