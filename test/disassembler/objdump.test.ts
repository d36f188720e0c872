/**
 * The GNU flavour of the printer against GNU objdump (-M intel), an oracle we did not write:
 * (1) the .text of real binaries on this machine, (2) a corpus of random valid instructions for each
 * mode, disassembled by objdump as a flat binary. Texts are compared after whitespace normalisation;
 * the few places where we knowingly differ from objdump are listed in `knownDeviation` (and in
 * docs/deviations.md) and counted, not hidden.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { decodeInstruction, type Instruction } from '../../src/decoder/index.js';
import { formatInstruction } from '../../src/disassembler/index.js';
import type { Mode } from '../../src/isa/index.js';
import { describeWithTool, hasTool } from '../support/tools.js';

const legacyPrefixes = new Set([0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65]);

/** Why objdump and we may print an instruction differently (null: we must agree). */
function knownDeviation(instruction: Instruction, bytes: Uint8Array, address: number): string | null {
  let prefixEnd = 0;
  while (
    prefixEnd < bytes.length &&
    (legacyPrefixes.has(bytes[prefixEnd]) || (instruction.mode === 64 && (bytes[prefixEnd] & 0xf0) === 0x40))
  ) {
    prefixEnd++;
  }
  const prefixes = bytes.subarray(0, prefixEnd);
  if (instruction.mode === 64 && prefixes.subarray(0, -1).some((byte) => (byte & 0xf0) === 0x40)) {
    return 'objdump prints a REX that is not last before the opcode as a separate line';
  }
  if (
    instruction.mode === 64 &&
    instruction.operandSizePrefix &&
    instruction.form.operandSizeRule === 'force64'
  ) {
    return '66 on a near branch in 64-bit mode: objdump decodes it the AMD way, we follow Intel';
  }
  if (instruction.form.name === 'MOVSXD_r16_rm16') return 'objdump prints the source of 66 63 as DWORD';
  if (
    instruction.mode === 64 &&
    prefixes.filter((byte) => [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65].includes(byte)).length > 1
  ) {
    return 'several segment prefixes in 64-bit mode: objdump prints them in its own order';
  }
  const relative = instruction.operands.find((operand) => operand.kind === 'relative');
  if (relative && relative.kind === 'relative' && instruction.operandSize === 16) {
    const target = address + instruction.length + relative.displacement;
    if (target < 0 || target > 0xffff) return 'objdump does not wrap 16-bit branch targets to 16 bits';
  }
  return null;
}

function normalise(text: string): string {
  return text
    .replace(/\s+#.*$/, '')
    .replace(/ <[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

interface Tally {
  compared: number;
  agreed: number;
  deviations: Map<string, number>;
  mismatches: string[];
}

function compareLine(
  tally: Tally,
  mode: Mode,
  bytes: Uint8Array,
  address: number,
  theirs: string,
  bareTargets: boolean,
) {
  const result = decodeInstruction(bytes, 0, mode);
  if (result.status !== 'ok') return false;
  tally.compared++;
  let ours = normalise(formatInstruction(result, { syntax: 'gnu', address: BigInt(address), bytes }));
  // `objdump -d` of an ELF prints branch targets without 0x (`call 4090 <f>`); of a flat binary, with it.
  if (bareTargets && result.operands.some((operand) => operand.kind === 'relative')) {
    ours = ours.replace(/ 0x([0-9a-f]+)$/, ' $1');
  }
  const expected = normalise(theirs);
  if (ours === expected && result.length === bytes.length) {
    tally.agreed++;
    return true;
  }
  const reason = knownDeviation(result, bytes, address);
  if (reason) {
    tally.deviations.set(reason, (tally.deviations.get(reason) ?? 0) + 1);
    return true;
  }
  const hexBytes = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
  if (tally.mismatches.length < 30)
    tally.mismatches.push(`mode ${mode} ${hexBytes}\n  objdump: ${expected}\n  vial:    ${ours}`);
  return false;
}

function newTally(): Tally {
  return { compared: 0, agreed: 0, deviations: new Map(), mismatches: [] };
}

const lineFormat = /^\s*([0-9a-f]+):\t([0-9a-f ]+)\t(.*)$/;

function randomGenerator(initial: number): () => number {
  let x = initial >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

describeWithTool('objdump', hasTool('objdump', ['--version']), 'GNU flavour vs objdump -M intel', () => {
  it('prints the .text of real binaries exactly as objdump does', () => {
    const binaries = ['/usr/bin/ls', '/usr/bin/bash', '/usr/bin/tar'].filter((path) => existsSync(path));
    expect(binaries.length, 'no binary to disassemble').toBeGreaterThan(0);
    const tally = newTally();
    let unsupported = 0;
    for (const binary of binaries) {
      const listing = execFileSync(
        'objdump',
        ['-d', '-M', 'intel', '--insn-width=16', '-j', '.text', binary],
        {
          maxBuffer: 1 << 28,
        },
      ).toString();
      for (const line of listing.split('\n')) {
        const match = lineFormat.exec(line);
        if (!match) continue;
        const bytes = Uint8Array.from(match[2].trim().split(' '), (byte) => Number.parseInt(byte, 16));
        if (!compareLine(tally, 64, bytes, Number.parseInt(match[1], 16), match[3], true)) {
          if (decodeInstruction(bytes, 0, 64).status !== 'ok') unsupported++;
        }
      }
    }
    console.log(
      `objdump corpus (${binaries.join(', ')}): ${tally.compared} in-scope instructions, ${tally.agreed} identical, ` +
        `${unsupported} outside our scope; deviations: ${JSON.stringify(Object.fromEntries(tally.deviations))}`,
    );
    expect(tally.mismatches.join('\n')).toBe('');
    expect(tally.compared).toBeGreaterThan(10_000);
  });

  for (const [mode, count] of [
    [64, 30_000],
    [32, 30_000],
    [16, 12_000],
  ] as const) {
    it(`prints ${count} random valid ${mode}-bit instructions as objdump does`, () => {
      const next = randomGenerator(0xdecade ^ mode);
      const chunks: Uint8Array[] = [];
      const candidate = new Uint8Array(16);
      while (chunks.length < count) {
        for (let i = 0; i < 16; i++) candidate[i] = next() & 0xff;
        const result = decodeInstruction(candidate, 0, mode);
        if (result.status === 'ok') chunks.push(candidate.slice(0, result.length));
      }
      const offsets: number[] = [];
      const corpus = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
      let offset = 0;
      for (const chunk of chunks) {
        offsets.push(offset);
        corpus.set(chunk, offset);
        offset += chunk.length;
      }
      const file = join(mkdtempSync(join(tmpdir(), 'vial-objdump-')), `random${mode}.bin`);
      writeFileSync(file, corpus);
      const machine =
        mode === 64
          ? ['-m', 'i386:x86-64', '-M', 'intel']
          : ['-m', 'i386', '-M', mode === 16 ? 'intel,i8086' : 'intel'];
      const listing = execFileSync('objdump', ['-D', '-b', 'binary', ...machine, '--insn-width=16', file], {
        maxBuffer: 1 << 28,
      }).toString();
      const theirs = new Map<number, string>();
      for (const line of listing.split('\n')) {
        const match = lineFormat.exec(line);
        if (match) theirs.set(Number.parseInt(match[1], 16), match[3]);
      }
      const tally = newTally();
      let split = 0;
      chunks.forEach((chunk, index) => {
        const text = theirs.get(offsets[index]);
        if (text === undefined) split++;
        else compareLine(tally, mode, chunk, offsets[index], text, false);
      });
      console.log(
        `${mode}-bit random corpus: ${tally.agreed}/${tally.compared} identical; ${split} without an objdump line; ` +
          `deviations: ${JSON.stringify(Object.fromEntries(tally.deviations))}`,
      );
      expect(tally.mismatches.join('\n')).toBe('');
      expect(tally.agreed).toBeGreaterThan(count * 0.97);
    });
  }
});
