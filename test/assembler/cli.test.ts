/** `vial asm`: input forms, output formats, errors and exit codes, and no partial output files. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const directory = mkdtempSync(join(tmpdir(), 'vial-asm-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['asm', ...args], {
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

describe('vial asm', () => {
  it('assembles --asm text to hex with each dialect’s choices', async () => {
    expect(await run(['--asm', 'mov rax, 1'])).toEqual({ code: 0, stdout: 'b8 01 00 00 00\n', stderr: '' });
    expect((await run(['--syntax', 'gnu', '--asm', 'mov rax, 1'])).stdout).toBe('48 c7 c0 01 00 00 00\n');
  });

  it('takes several instructions as \\n or as repeated --asm', async () => {
    expect((await run(['--asm', 'xor eax, eax\\nret'])).stdout).toBe('31 c0 c3\n');
    expect((await run(['--asm', 'bits 32', '--asm', 'push ebp', '--asm', 'mov ebp, esp'])).stdout).toBe(
      '55 89 e5\n',
    );
    expect((await run(['--mode', '16', '--asm', 'push ax'])).stdout).toBe('50\n');
  });

  it('prints a listing with symbols, and JSON', async () => {
    const listing = await run(['--format', 'listing', '--origin', '0x1000', '--asm', 'start: jmp start']);
    expect(listing.stdout).toContain('00001000  EB FE');
    expect(listing.stdout).toMatch(/Symbols:\n\s+00001000\s+\.text\s+start/);
    const json = JSON.parse((await run(['--json', '--asm', 'ret'])).stdout);
    expect(json).toMatchObject({ ok: true, dialect: 'nasm', bytes: 'c3' });
  });

  it('reads a file, reports every error as FILE:LINE:COLUMN and exits 1', async () => {
    const source = join(directory, 'bad.asm');
    writeFileSync(source, 'mov eax, 1\nadd eax, bl\nfoo\n');
    const result = await run([source]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${source}:2:1: operand size mismatch: \`add eax, bl\``);
    expect(result.stderr).toContain(`${source}:3:1: unknown instruction or directive \`foo\``);
    expect(result.stderr).toContain('2 errors; nothing written');
  });

  it('writes -o only on success, never a partial file', async () => {
    const output = join(directory, 'out.bin');
    expect((await run(['--format', 'bin', '-o', output, '--asm', 'nop\\nret'])).code).toBe(0);
    expect([...readFileSync(output)]).toEqual([0x90, 0xc3]);
    const failed = join(directory, 'failed.bin');
    expect((await run(['--format', 'bin', '-o', failed, '--asm', 'nop\\nadd eax, bl'])).code).toBe(1);
    expect(existsSync(failed)).toBe(false);
    expect(readdirSync(directory).filter((name) => name.startsWith('.vial-asm-'))).toEqual([]);
  });

  it('exits 2 on usage errors', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['--mode', '8', '--asm', 'nop'])).code).toBe(2);
    expect((await run(['--format', 'bin', '--asm', 'nop'])).stderr).toMatch(/needs -o/);
    expect((await run(['x.asm', '--asm', 'nop'])).code).toBe(2);
  });

  it('has help with usage, examples and exit codes', async () => {
    const help = await main(['asm', '--help'], { stdout: () => {}, stderr: () => {}, isTTY: false });
    expect(help).toBe(0);
  });
});
