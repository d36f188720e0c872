/**
 * The bytes each assembler pads code with for alignment.
 *
 * NASM's `align N` is a macro for `times … nop` (NASM manual §5.10.1, "ALIGN and ALIGNB"): one-byte
 * 0x90s. GNU as fills code alignment with the longest NOPs it knows (binutils `i386_generate_nops`):
 * in 32- and 64-bit code, 11-byte `66 66 2E 0F 1F 84 00 00 00 00 00` chunks and then the remainder from
 * the table below (SDM Vol. 2B "NOP": recommended multi-byte sequences, with 66/2E prefixes beyond 9
 * bytes); in 16-bit code, `lea si,[si+0]` forms, with a short jump over padding longer than 11 bytes.
 * The tables were checked against GNU as 2.40 (test/assembler/gnu-differential.test.ts).
 */
import type { Dialect } from './lexer.js';
import type { Bits } from './statements.js';

const GNU_NOPS_32: readonly (readonly number[])[] = [
  [],
  [0x90],
  [0x66, 0x90],
  [0x0f, 0x1f, 0x00],
  [0x0f, 0x1f, 0x40, 0x00],
  [0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
  [0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
];
const GNU_NOPS_16: readonly (readonly number[])[] = [
  [],
  [0x90],
  [0x66, 0x90],
  [0x8d, 0x74, 0x00],
  [0x8d, 0xb4, 0x00, 0x00],
];

function fillWith(
  table: readonly (readonly number[])[],
  output: Uint8Array,
  start: number,
  count: number,
): void {
  const longest = table.length - 1;
  let position = start;
  let remaining = count;
  while (remaining > 0) {
    const chunk = table[Math.min(remaining, longest)];
    output.set(chunk, position);
    position += chunk.length;
    remaining -= chunk.length;
  }
}

/** `count` bytes of code padding as the dialect's assembler would emit them. */
export function codePadding(count: number, dialect: Dialect, bits: Bits): Uint8Array {
  const output = new Uint8Array(count);
  if (dialect === 'nasm') return output.fill(0x90);
  if (bits !== 16) {
    fillWith(GNU_NOPS_32, output, 0, count);
    return output;
  }
  if (count <= 11) {
    fillWith(GNU_NOPS_16, output, 0, count);
    return output;
  }
  output[0] = 0xeb;
  output[1] = count - 2;
  fillWith(GNU_NOPS_16, output, 2, count - 2);
  return output;
}
