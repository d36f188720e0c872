/**
 * The NASM flavour against NASM itself: random valid instructions are printed in NASM syntax,
 * assembled by nasm, and nasm's bytes decoded again. Every instruction must come back with the same
 * meaning (mnemonic and operands, compared in the canonical form of test/support/iced.ts) — NASM may
 * pick other encodings, so bytes are not compared. Absolute branch and RIP-relative targets are
 * written `$$+0x…` so that they survive NASM choosing other instruction lengths.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { decodeInstruction, type Instruction } from '../../src/decoder/index.js';
import { formatInstruction } from '../../src/disassembler/index.js';
import { instructionForms, type Mode } from '../../src/isa/index.js';
import { randomGenerator, sampleBytes } from '../support/forms.js';
import { ourText } from '../support/iced.js';
import { describeWithTool, hasTool } from '../support/tools.js';

/** Meaning with absolute branch targets, for an instruction decoded at `address`. */
function meaning(instruction: Instruction, address: number): string {
  let text = ourText(instruction).replace(/^sal /, 'shl ');
  // Same meaning, NASM's choices: XCHG is symmetric; MOV to/from a segment register uses the 32-bit
  // register form whatever width we printed (only 16 bits move; a 32-bit write zero-extends).
  if (text.startsWith('xchg ')) text = `xchg ${text.slice(5).split(',').sort().join(',')}`;
  if (instruction.form.family.family === 'mov' && /\b[c-gs]s\b/.test(text)) {
    const width = instruction.mode === 16 ? '' : 'e';
    text = text
      .replace(/\b(?:r|e)?(ax|cx|dx|bx|sp|bp|si|di)\b(?!:)/, `${width}$1`)
      .replace(/\b(r\d+)[wd]?\b(?!:)/, '$1d');
  }
  const target = (relativeTarget: string) => {
    const value = BigInt(relativeTarget) + BigInt(address);
    return BigInt.asUintN(instruction.mode === 64 ? 64 : instruction.operandSize, value).toString(16);
  };
  // ourText prints targets relative to the instruction's own address 0; rebase them.
  return text
    .replace(/@0x([0-9a-f]+)/, (_, hex: string) => `@0x${target(`0x${hex}`)}`)
    .replace(/\[(rip|eip)\+0x([0-9a-f]+)\]/, (_, base: string, hex: string) => {
      const width = base === 'rip' ? 64 : 32;
      return `[${base}:0x${BigInt.asUintN(width, BigInt(`0x${hex}`) + BigInt(address)).toString(16)}]`;
    });
}

describeWithTool(
  'nasm',
  hasTool('nasm', ['-v']),
  'NASM flavour re-assembles to the same instructions',
  () => {
    for (const mode of [64, 32, 16] as const) {
      it(`${mode}-bit: print, assemble with nasm, decode, compare`, () => {
        const next = randomGenerator(0x4a53 ^ mode);
        const originals: { instruction: Instruction; address: number; text: string }[] = [];
        // Every form valid in this mode once, then random valid instructions.
        const samples = instructionForms()
          .filter((form) => form.modes.includes(mode))
          .map((form) => Uint8Array.from(sampleBytes(form, mode, next)));
        const candidate = new Uint8Array(16);
        // One 32-byte slot per instruction: NASM may encode differently (longer or shorter), NOP padding
        // puts every instruction back at its original address, so targets and comparisons line up.
        const slot = 32;
        let address = 0;
        while (originals.length < 2000) {
          const sample = samples.pop();
          if (sample) candidate.set(sample);
          else for (let i = 0; i < 16; i++) candidate[i] = next() & 0xff;
          const result = decodeInstruction(candidate, 0, mode as Mode);
          if (result.status !== 'ok') continue;
          const text = formatInstruction(result, { syntax: 'nasm', address: BigInt(address) })
            .replace(
              /^((?:bnd )?(?:call|j\w+|loop\w*) (?:near |short )?(?:word |dword )?)(0x[0-9a-f]+)$/,
              '$1$$$$+$2',
            )
            .replace(/\[(\w+:)?rel (0x[0-9a-f]+)\]/, '[$1rel $$$$+$2]');
          // NASM has no syntax for MOVSXD without REX.W (63 /r with a 16/32-bit destination), nor for
          // BSWAP of a 16-bit register (whose result the SDM leaves undefined).
          if (result.form.family.family === 'movsxd' && result.operandSize !== 64) continue;
          if (result.form.family.family === 'bswap' && result.operandSize === 16) continue;
          // …nor for MOVZX/MOVSX r16, r/m16 (0F B7 / 0F BF with a 16-bit operand size).
          if (['MOVZX_r16_rm16', 'MOVSX_r16_rm16'].includes(result.form.name)) continue;
          // A short branch whose prefixes NASM does not reproduce gets shorter, which moves its range.
          const relative = result.operands.find((operand) => operand.kind === 'relative');
          if (
            relative?.kind === 'relative' &&
            relative.encodedSize === 8 &&
            Math.abs(relative.displacement) > 100
          )
            continue;
          originals.push({ instruction: result, address, text });
          address += slot;
        }
        const directory = mkdtempSync(join(tmpdir(), 'vial-nasm-'));
        const source = join(directory, 'round.asm');
        const output = join(directory, 'round.bin');
        // Each instruction starts at its original address (NOP padding where NASM's encoding is shorter),
        // so relative branches keep their targets in range and the comparison is one to one.
        const lines = originals.map(
          (original) => `${original.text}\ntimes 0x${(original.address + slot).toString(16)} - ($ - $$) nop`,
        );
        writeFileSync(source, `bits ${mode}\n${lines.join('\n')}\n`);
        try {
          execFileSync('nasm', ['-f', 'bin', '-w-all', '-o', output, source], { stdio: 'pipe' });
        } catch (error) {
          const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
          const lines = readFileSync(source, 'utf8').split('\n');
          const explained = stderr
            .split('\n')
            .slice(0, 20)
            .map((line) => {
              const number = /:(\d+):/.exec(line)?.[1];
              return number ? `${line}   <- ${lines[Number(number) - 1]}` : line;
            });
          throw new Error(`nasm rejected our NASM-syntax output:\n${explained.join('\n')}`);
        }
        const bytes = new Uint8Array(readFileSync(output));
        const problems: string[] = [];
        for (const original of originals) {
          const result = decodeInstruction(bytes, original.address, mode as Mode);
          if (result.status !== 'ok') {
            problems.push(`${original.text}: nasm's bytes do not decode (${result.message})`);
            continue;
          }
          const expected = meaning(original.instruction, original.address);
          const actual = meaning(result, original.address);
          if (expected !== actual && problems.length < 30)
            problems.push(`${original.text}\n  was:  ${expected}\n  nasm: ${actual}`);
        }
        expect(problems.join('\n')).toBe('');
        expect(bytes.length).toBe(address);
      });
    }
  },
);
