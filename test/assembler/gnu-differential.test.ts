/**
 * Differential tests against GNU as (binutils; a tool we did not write):
 * 1. the generated corpus in GNU Intel syntax, one instruction per 16-byte slot, against `as`;
 * 2. real C files (testdata/assembler/c) compiled by gcc -O2 -masm=intel, whose output is assembled
 *    by both; after `ld -Ttext=0x401000`, the linked `.text` must equal vial's bytes with every section
 *    placed where ld put it (read from ld's map file);
 * 3. a hand-written GNU-syntax program using the directives gcc emits.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    'GNU as truncates an immediate wider than 16 bits to the 16-bit default push; vial uses a 32-bit push that keeps the value',
  ],
  [
    16,
    /^(jmp|call) DWORD PTR /,
    'in 16-bit code GNU as reads `jmp/call DWORD PTR m` as a far branch through an m16:16 pointer; vial has no far branches and encodes a near branch with a 32-bit operand size',
  ],
];

const directory = mkdtempSync(join(tmpdir(), 'vial-gnu-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const tools = hasTool('as') && hasTool('ld') && hasTool('objcopy');

function slotSource(mode: Mode, lines: readonly string[]): string {
  return `.intel_syntax noprefix\n.code${mode}\n${lines.map((line) => `${line}\n.p2align 4, 0xcc`).join('\n')}\n`;
}

/** Assembles with GNU as and returns the raw bytes of `.text`. */
function gnuText(source: string, name: string): Buffer {
  const input = join(directory, `${name}.s`);
  const object = join(directory, `${name}.o`);
  const output = join(directory, `${name}.bin`);
  writeFileSync(input, source);
  execFileSync('as', ['--64', '-o', object, input], { stdio: 'pipe' });
  execFileSync('objcopy', ['-O', 'binary', '-j', '.text', object, output]);
  return readFileSync(output);
}

function runGnuAs(
  mode: Mode,
  corpus: readonly string[],
): { accepted: string[]; rejected: string[]; bytes: Buffer } {
  let accepted = [...corpus];
  const rejected: string[] = [];
  const input = join(directory, `corpus${mode}.s`);
  for (let round = 0; round < 4; round++) {
    writeFileSync(input, slotSource(mode, accepted));
    const result = spawnSync('as', ['--64', '-o', join(directory, `corpus${mode}.o`), input], {
      encoding: 'utf8',
    });
    const bad = new Set(
      [...result.stderr.matchAll(/:(\d+): Error/g)].map((match) => Math.floor((Number(match[1]) - 3) / 2)),
    );
    if (bad.size === 0 && result.status === 0) {
      return { accepted, rejected, bytes: gnuText(slotSource(mode, accepted), `corpus${mode}`) };
    }
    for (const index of bad) rejected.push(accepted[index]);
    accepted = accepted.filter((_, index) => !bad.has(index));
  }
  throw new Error('GNU as kept rejecting lines');
}

describeWithTool('GNU as', tools, 'assembler vs GNU as (generated corpus)', () => {
  for (const mode of [64, 32, 16] as const) {
    it(`assembles every ${mode}-bit form like GNU as`, () => {
      const { accepted, rejected, bytes } = runGnuAs(mode, generateCorpus(mode, 'gnu', 16));
      const ours = assemble(slotSource(mode, accepted), { syntax: 'gnu' });
      expect(ours.errors.slice(0, 5)).toEqual([]);
      const differences: string[] = [];
      for (let index = 0; index < accepted.length; index++) {
        const mine = Buffer.from(ours.bytes.subarray(index * 16, index * 16 + 16)).toString('hex');
        const theirs = bytes.subarray(index * 16, index * 16 + 16).toString('hex');
        if (mine === theirs) continue;
        if (
          ALLOWED_DIFFERENCES.some(
            ([allowedMode, pattern]) => allowedMode === mode && pattern.test(accepted[index]),
          )
        )
          continue;
        differences.push(`${accepted[index]}: vial ${mine} as ${theirs}`);
      }
      expect(differences.slice(0, 20)).toEqual([]);
      const header = `.intel_syntax noprefix\n.code${mode}\n`;
      const acceptedByUs = rejected.filter(
        (line) => assemble(header + line, { syntax: 'gnu' }).errors.length === 0,
      );
      expect(acceptedByUs).toEqual([]);
    });
  }
});

/** Input-section addresses ld chose, from its map file: `.text.startup 0x401040 0x2a x.o`. */
function sectionAddressesFromMap(map: string): Record<string, bigint> {
  const addresses: Record<string, bigint> = {};
  for (const match of map.matchAll(/^ (\.[\w.$-]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+\S+\.o$/gm)) {
    if (BigInt(`0x${match[3]}`) > 0n) addresses[match[1]] = BigInt(`0x${match[2]}`);
  }
  return addresses;
}

const cDirectory = join(import.meta.dirname, '../../testdata/assembler/c');
const gccTools = tools && hasTool('gcc');

/** Assembles `assembly` with GNU as, links it at 0x401000 and returns the linked .text and ld's section placement. */
function linkWithGnu(
  assembly: string,
  stem: string,
): { text: Buffer; sectionAddresses: Record<string, bigint> } {
  const object = join(directory, `${stem}.o`);
  const linked = join(directory, `${stem}.elf`);
  const map = join(directory, `${stem}.map`);
  const text = join(directory, `${stem}.text`);
  execFileSync('as', ['-o', object, assembly]);
  execFileSync('ld', ['-Ttext=0x401000', '-e', '0', `-Map=${map}`, '-o', linked, object]);
  execFileSync('objcopy', ['-O', 'binary', '-j', '.text', linked, text]);
  return { text: readFileSync(text), sectionAddresses: sectionAddressesFromMap(readFileSync(map, 'utf8')) };
}

/** Checks that vial's text sections, placed as ld placed them, equal the linked .text. */
function expectSameText(
  source: string,
  linked: { text: Buffer; sectionAddresses: Record<string, bigint> },
): void {
  const ours = assemble(source, { sectionAddresses: linked.sectionAddresses });
  expect(ours.dialect).toBe('gnu');
  expect(ours.errors).toEqual([]);
  const textSections = ours.sections.filter(
    (section) => section.name === '.text' || section.name.startsWith('.text.'),
  );
  expect(textSections.length).toBeGreaterThan(0);
  for (const section of textSections) {
    const offset = Number(section.address - 0x401000n);
    const expected = linked.text.subarray(offset, offset + section.bytes.length).toString('hex');
    expect(`${section.name}: ${Buffer.from(section.bytes).toString('hex')}`).toBe(
      `${section.name}: ${expected}`,
    );
  }
  const coveredBytes = textSections.reduce((sum, section) => sum + section.bytes.length, 0);
  expect(coveredBytes).toBe(linked.text.length);
}

describeWithTool('gcc', gccTools, 'assembler vs GNU as on gcc -O2 -masm=intel output, linked by ld', () => {
  for (const file of readdirSync(cDirectory).filter((name) => name.endsWith('.c'))) {
    // PIE code (Debian's default: `sym[rip]`, `func@PLT`, `.long .L9-.L4` tables) and non-PIE code
    // (`OFFSET FLAT:sym`, `jmp [QWORD PTR .L4[0+rax*8]]`, absolute `CSWTCH.5[0+rdi*8]`).
    for (const pie of ['-fpie', '-fno-pie']) {
      it(`links ${file} (${pie}) to the same .text`, () => {
        const stem = `${file.replace(/\.c$/, '')}${pie}`;
        const assembly = join(directory, `${stem}.s`);
        const flags = [
          '-O2',
          '-S',
          '-masm=intel',
          '-mgeneral-regs-only',
          '-fno-asynchronous-unwind-tables',
          pie,
        ];
        execFileSync('gcc', [...flags, '-o', assembly, join(cDirectory, file)]);
        expectSameText(readFileSync(assembly, 'utf8'), linkWithGnu(assembly, stem));
      });
    }
  }
});

describeWithTool('GNU as', tools, 'assembler vs GNU as (hand-written program)', () => {
  it('assembles testdata/assembler/gnu-program.s like GNU as', () => {
    const path = join(import.meta.dirname, '../../testdata/assembler/gnu-program.s');
    expectSameText(readFileSync(path, 'utf8'), linkWithGnu(path, 'program'));
  });
});
