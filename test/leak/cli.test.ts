/**
 * `vial leak FILE`: in process through `main()` with a capturing output, and end to end through
 * `bin/vial.js` (needs `npm run build`, which `npm test` runs first).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { CliOutput } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import { inCI } from '../support/tools.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/cli/${name}`, import.meta.url));
const leaky = fixture('leaky.mjs');
const clean = fixture('clean.cjs');

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out: CliOutput = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTTY: false,
  };
  const code = await main(['leak', ...args], out);
  return { code, stdout, stderr };
}

describe('vial leak (in process)', () => {
  test('finds the leak in a default export: exit 1, report with diagnosis', async () => {
    const { code, stdout, stderr } = await run(leaky);
    expect(code).toBe(1);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^LEAK: default export of .*leaky\.mjs leaks/);
    expect(stdout).toMatch(/Heap snapshot diff over \d+ more call\(s\), by constructor:/);
    expect(stdout).toMatch(/Retainer path of one new Object @\d+, from the GC root:/);
  });

  test('no leak in a named CommonJS export: exit 0', async () => {
    const { code, stdout } = await run(clean, '--export', 'buildTree', '--iterations', '100');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^no leak: buildTree of .*clean\.cjs does not leak/);
  });

  test('--json prints the whole result', async () => {
    const { code, stdout } = await run(leaky, '--export', 'tidy', '--iterations', '50', '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ leaked: false, gcMethod: 'vm-context', iterations: 50 * 31 });
    expect(result.series).toHaveLength(6);
  });

  test('--progress draws a bar on stderr and clears it', async () => {
    const { code, stderr } = await run(leaky, '--export', 'tidy', '--iterations', '20', '--progress');
    expect(code).toBe(0);
    expect(stderr).toMatch(/\r\[#+\.*\] +\d+% measure/);
    expect(stderr).toMatch(/\r {30,}\r$/);
  });

  test.each([
    [['missing.mjs'], /vial leak: cannot find file 'missing.mjs'/],
    [[leaky, '--export', 'nope'], /no export named 'nope'; exported functions: default, explodes, tidy/],
    [
      [leaky, '--export', 'notAFunction'],
      /exports 'notAFunction' as a number, not a function; exported functions/,
    ],
    [[leaky, '--export', 'explodes'], /the function under test threw on call 1: boom from the fixture/],
    [
      [clean],
      /exports 'default' as an object, not a function; exported functions: buildTree \(use --export NAME\)/,
    ],
  ])('bad input %j: clear message, exit 1, no stack trace', async (args, message) => {
    const { code, stdout, stderr } = await run(...args);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  test('a .ts file Node cannot load gives a clear message', async () => {
    const { code, stderr } = await run(fixture('typed.ts'));
    // Node >= 22.18 strips types itself; then the function simply runs.
    if (code === 0) return;
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot load '\.ts' files directly; compile .* or run with a loader/);
  });

  test.each([
    [[], /missing FILE/],
    [[leaky, leaky], /expected one FILE, got 2/],
    [[leaky, '--iterations', 'many'], /--iterations expects an integer >= 1, got 'many'/],
    [[leaky, '--batches', '2'], /--batches expects an integer >= 3, got '2'/],
    [[leaky, '--threshold', '0'], /--threshold expects a number > 0, got '0'/],
    [[leaky, '--bogus'], /Unknown option '--bogus'/],
  ])('usage error %j: exit 2', async (args, message) => {
    const { code, stderr } = await run(...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/see `vial leak --help`/);
  });

  test('--help lists usage, options, examples and exit codes', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(0);
    for (const part of ['Usage: vial leak FILE', 'Options:', 'Examples:', 'Exit codes:', '--export NAME']) {
      expect(stdout).toContain(part);
    }
  });
});

const binary = fileURLToPath(new URL('../../bin/vial.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/cli/commands/leak.js', import.meta.url)));
if (!built && !inCI) console.warn('[skip] vial leak end to end: run `npm run build` first');

describe.skipIf(!built && !inCI)('vial leak (end to end, bin/vial.js)', () => {
  const vial = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [binary, 'leak', ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });

  test('exit 1 and a diagnosis naming the module variable for a leak', async () => {
    const { code, stdout, stderr } = await vial(leaky);
    expect(code).toBe(1);
    expect(stderr).toBe(''); // not a TTY: no progress bar
    expect(stdout).toMatch(/^LEAK: default export/);
    expect(stdout).toMatch(/\.history/); // the module-level array, by name
  });

  test('exit 0 for clean code, exit 2 for a usage error', async () => {
    expect((await vial(clean, '--export', 'buildTree')).code).toBe(0);
    const usage = await vial('--iterations');
    expect(usage.code).toBe(2);
  });
});
