/**
 * Golden files (Go x86asm style): `testdata/isa/disasm.txt` holds one case per line,
 * `hex<TAB>mode<TAB>syntax<TAB>text`, where syntax is `form` (the decoded form's stable name, or the
 * failure), `nasm` or `gnu`. A failure reads like a diff. To accept intended changes, run
 * `VIAL_UPDATE_GOLDEN=1 npx vitest run test/disassembler/golden.test.ts` and review `git diff`;
 * to add a case, append `hex<TAB>mode<TAB>syntax<TAB>` and run the same.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { decodeInstruction } from '../../src/decoder/index.js';
import { formatInstruction } from '../../src/disassembler/index.js';
import type { Mode } from '../../src/isa/index.js';

const goldenPath = fileURLToPath(new URL('../../testdata/isa/disasm.txt', import.meta.url));

function render(hex: string, mode: Mode, syntax: string): string {
  const bytes = Uint8Array.from(hex.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
  const result = decodeInstruction(bytes, 0, mode);
  if (result.status !== 'ok') {
    const known = result.lengthKnown ? ` (length ${result.length})` : '';
    return `${result.status}: ${result.message}${known}`;
  }
  const tail = result.length === bytes.length ? '' : ` [+${bytes.length - result.length} bytes not used]`;
  if (syntax === 'form') return `${result.form.name} o${result.operandSize} a${result.addressSize}${tail}`;
  return formatInstruction(result, { syntax: syntax as 'nasm' | 'gnu', address: 0n, bytes }) + tail;
}

it('decodes and prints every golden case as recorded', () => {
  const lines = readFileSync(goldenPath, 'utf8').split('\n');
  const differences: string[] = [];
  let cases = 0;
  const updated = lines.map((line, index) => {
    if (line.trim() === '' || line.startsWith('#')) return line;
    const [hex, mode, syntax, expected = ''] = line.split('\t');
    if (
      !/^([0-9a-f]{2})+$/.test(hex) ||
      !['16', '32', '64'].includes(mode) ||
      !['form', 'nasm', 'gnu'].includes(syntax)
    ) {
      throw new Error(`${goldenPath}:${index + 1}: malformed line '${line}'`);
    }
    cases++;
    const actual = render(hex, Number(mode) as Mode, syntax);
    if (actual !== expected)
      differences.push(`line ${index + 1}: ${hex} ${mode} ${syntax}\n- ${expected}\n+ ${actual}`);
    return `${hex}\t${mode}\t${syntax}\t${actual}`;
  });
  if (process.env.VIAL_UPDATE_GOLDEN === '1') {
    writeFileSync(goldenPath, updated.join('\n'));
    return;
  }
  expect(differences.slice(0, 40).join('\n'), `${differences.length} differences`).toBe('');
  expect(cases).toBeGreaterThan(1000);
});
