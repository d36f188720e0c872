/**
 * Differential test against NASM (an assembler we did not write): a corpus generated from the ISA
 * catalog (every form valid in the mode, with representative registers, addressing forms and
 * immediates at their boundaries) must assemble to the same bytes as `nasm -f bin`. Every line sits in
 * its own 16-byte slot (`align 16, db 0xcc`), so one difference cannot hide others. Lines NASM refuses
 * must be refused by vial too. Deliberate differences are in ALLOWED_DIFFERENCES with their reason.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { assemble } from '../../src/assembler/index.js';
import type { Mode } from '../../src/isa/spec.js';
import { describeWithTool, hasTool } from '../support/tools.js';
import { generateCorpus } from './corpus.js';

/** Known, deliberate differences: [mode, line pattern, reason]. */
const ALLOWED_DIFFERENCES: readonly [Mode, RegExp, string][] = [
  [
    16,
    /^push 0x(12345678|7fffffff|ffffffff|80000000)$/,
    'NASM truncates an immediate wider than 16 bits to the 16-bit default push (with a warning); vial uses a 32-bit push (66 68/6A) that keeps the value',
  ],
];

const directory = mkdtempSync(join(tmpdir(), 'vial-nasm-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function slotSource(mode: Mode, lines: readonly string[]): string {
  return `bits ${mode}\n${lines.map((line) => `${line}\nalign 16, db 0xcc`).join('\n')}\n`;
}

/** Runs nasm on the corpus, dropping the lines it rejects; returns the accepted lines, the rejected ones and nasm's bytes. */
function runNasm(
  mode: Mode,
  corpus: readonly string[],
): { accepted: string[]; rejected: string[]; bytes: Buffer } {
  let accepted = [...corpus];
  const rejected: string[] = [];
  const source = join(directory, `corpus${mode}.asm`);
  const output = join(directory, `corpus${mode}.bin`);
  for (let round = 0; round < 4; round++) {
    writeFileSync(source, slotSource(mode, accepted));
    const result = spawnSync('nasm', ['-f', 'bin', '-w-all', '-o', output, source], { encoding: 'utf8' });
    const bad = new Set(
      [...result.stderr.matchAll(/:(\d+): error/g)].map((match) => Math.floor((Number(match[1]) - 2) / 2)),
    );
    if (bad.size === 0 && result.status === 0) return { accepted, rejected, bytes: readFileSync(output) };
    for (const index of bad) rejected.push(accepted[index]);
    accepted = accepted.filter((_, index) => !bad.has(index));
  }
  throw new Error('nasm kept rejecting lines');
}

function slotHex(bytes: Uint8Array, index: number): string {
  return Buffer.from(bytes.subarray(index * 16, index * 16 + 16))
    .toString('hex')
    .replace(/(cc)+$/, '');
}

describeWithTool('nasm', hasTool('nasm', ['-v']), 'assembler vs nasm (generated corpus)', () => {
  let totalLines = 0;
  for (const mode of [64, 32, 16] as const) {
    it(`assembles every ${mode}-bit form like nasm -f bin`, () => {
      const corpus = generateCorpus(mode, 'nasm', 16);
      const { accepted, rejected, bytes } = runNasm(mode, corpus);
      totalLines += accepted.length;
      const ours = assemble(slotSource(mode, accepted), { syntax: 'nasm' });
      expect(ours.errors.slice(0, 5)).toEqual([]);
      const differences: string[] = [];
      for (let index = 0; index < accepted.length; index++) {
        const mine = slotHex(ours.bytes, index);
        const theirs = slotHex(bytes, index);
        if (mine === theirs) continue;
        if (
          ALLOWED_DIFFERENCES.some(
            ([allowedMode, pattern]) => allowedMode === mode && pattern.test(accepted[index]),
          )
        )
          continue;
        differences.push(`${accepted[index]}: vial ${mine} nasm ${theirs}`);
      }
      expect(differences.slice(0, 20)).toEqual([]);
      const acceptedByUs = rejected.filter(
        (line) => assemble(`bits ${mode}\n${line}`, { syntax: 'nasm' }).errors.length === 0,
      );
      expect(acceptedByUs).toEqual([]);
    });
  }
  it('covers at least 20,000 lines', () => {
    expect(totalLines).toBeGreaterThanOrEqual(20_000);
  });
});

describeWithTool('nasm', hasTool('nasm', ['-v']), 'assembler vs nasm (whole programs)', () => {
  for (const name of ['nasm-program.asm', 'nasm-boot16.asm']) {
    it(`assembles testdata/assembler/${name} like nasm`, () => {
      const path = join(import.meta.dirname, '../../testdata/assembler', name);
      const output = join(directory, `${name}.bin`);
      execFileSync('nasm', ['-f', 'bin', '-w-all', '-o', output, path]);
      const ours = assemble(readFileSync(path, 'utf8'), { syntax: 'nasm' });
      expect(ours.errors).toEqual([]);
      expect(Buffer.from(ours.bytes).toString('hex')).toBe(readFileSync(output).toString('hex'));
    });
  }
});
