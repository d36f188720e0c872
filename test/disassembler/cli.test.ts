/** `vial disasm`: output, JSON, and clear errors for bad input (no stack traces). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTTY: false,
  });
  return { code, stdout, stderr };
}

describe('vial disasm', () => {
  it('lists hex input in NASM syntax with labels on branch targets', async () => {
    const { code, stdout } = await run('disasm', '--hex', '48 01 d8 75 fb c3');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'L_0:',
        '00000000  48 01 d8                        add rax, rbx',
        '00000003  75 fb                           jne short L_0',
        '00000005  c3                              ret',
        '',
      ].join('\n'),
    );
  });

  it('prints GNU syntax, a 32-bit mode and an origin', async () => {
    const { code, stdout } = await run(
      'disasm',
      '--hex',
      '0xf3,0xa5,0xe8,0x0,0x0,0x0,0x0',
      '--mode',
      '32',
      '--syntax',
      'gnu',
      '--origin',
      '0x401000',
      '--no-labels',
    );
    expect(code).toBe(0);
    expect(stdout).toContain(
      '00401000  f3 a5                           rep movs DWORD PTR es:[edi],DWORD PTR ds:[esi]',
    );
    expect(stdout).toContain('00401002  e8 00 00 00 00                  call   0x401007');
  });

  it('reads a file of raw bytes and keeps going after undecodable bytes', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vial-disasm-')), 'code.bin');
    writeFileSync(file, Uint8Array.from([0x0f, 0x58, 0xc1, 0xff, 0xff, 0x90]));
    const { code, stdout } = await run('disasm', file);
    expect(code).toBe(0);
    expect(stdout).toContain('db 0x0f, 0x58, 0xc1  ; unsupported instruction (sse: addps)');
    expect(stdout).toContain('db 0xff  ; invalid instruction');
    expect(stdout).toMatch(/00000005 {2}90 +nop\n$/);
  });

  it('prints JSON with form names', async () => {
    const { code, stdout } = await run('disasm', '--hex', '83c0ff', '--json');
    expect(code).toBe(0);
    const lines = JSON.parse(stdout);
    expect(lines[0]).toMatchObject({
      address: '0x0',
      bytes: '83c0ff',
      form: 'ADD_rm32_imm8',
      text: 'add eax, -0x1',
    });
    expect(lines[0].operands[1]).toMatchObject({ kind: 'immediate', value: '-1', signExtended: true });
  });

  it.each([
    [['--hex', 'abc'], /odd number of hex digits/],
    [['--hex', 'zz'], /'z' in 'zz' is not a hex digit/],
    [['--hex', '0x123'], /'0x123' is not one byte/],
    [['--hex', '90', '--mode', '8'], /--mode must be 16, 32 or 64/],
    [['--hex', '90', '--syntax', 'att'], /--syntax must be nasm or gnu/],
    [['--hex', '90', '--origin', 'x'], /--origin must be a number/],
    [['--hex', '90', 'file.bin'], /either FILE or --hex/],
    [[], /nothing to disassemble/],
    [['--hex', '90', '--bogus'], /Unknown option '--bogus'/],
  ])('rejects %j with a usage error', async (args, message) => {
    const { code, stderr } = await run('disasm', ...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('reports an unreadable file with exit code 1', async () => {
    const { code, stderr } = await run('disasm', '/nonexistent/file.bin');
    expect(code).toBe(1);
    expect(stderr).toContain("cannot read '/nonexistent/file.bin' (ENOENT)");
  });

  it('has help with usage, options, examples and exit codes', async () => {
    const { code, stdout } = await run('disasm', '--help');
    expect(code).toBe(0);
    for (const part of ['Usage:', 'Options:', 'Examples:', 'Exit codes:']) expect(stdout).toContain(part);
  });
});
