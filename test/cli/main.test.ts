import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('vial CLI', () => {
  it('prints the version', async () => {
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('lists commands in --help and shows per-command help with examples', async () => {
    const overview = await runCli(['--help']);
    expect(overview.code).toBe(0);
    expect(overview.stdout).toMatch(/Usage: vial COMMAND/);
    expect(overview.stdout).toMatch(/\bdemo\b/);
    const demoHelp = await runCli(['demo', '--help']);
    expect(demoHelp.stdout).toMatch(/Examples:/);
    expect((await runCli(['help', 'demo'])).stdout).toBe(demoHelp.stdout);
  });

  it('rejects an unknown command with exit code 2', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('rejects an unknown option as a usage error, without a stack trace', async () => {
    const result = await runCli(['demo', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--bogus/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('demo shows the coarse and the precise view, then runs a div program', async () => {
    const result = await runCli(['demo']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Undefined \* 0 = Undefined/);
    expect(result.stdout).toMatch(/x \* 0 .*0x00 +coarse: 0/);
    expect(result.stdout).toMatch(/rax +0x0000_0000_0000_000e/);
    expect(result.stdout).toMatch(/CF +Undefined/);
    const json = JSON.parse((await runCli(['demo', '--json'])).stdout) as {
      domain: { name: string; text: string }[];
      program: { stop: string; vial: { flags: Record<string, string> } };
    };
    expect(json.domain.find((row) => row.name.startsWith('x & 0x0f'))?.text).toBe('0x0?');
    expect(json.program.stop).toBe('end');
    expect(json.program.vial.flags.CF).toBe('Undefined');
  });

  it('runs as a real process through bin/vial.js', () => {
    const binary = new URL('../../bin/vial.js', import.meta.url).pathname;
    expect(execFileSync(process.execPath, [binary, '--version'], { encoding: 'utf8' })).toBe(`${version}\n`);
    const failed = spawnSync(process.execPath, [binary, 'nope'], { encoding: 'utf8' });
    expect(failed.status).toBe(2);
  });
});
