/**
 * The node:test assertions, run the way a user runs them: `node --test` on a plain JavaScript file,
 * spawned from here, with vial bundled by esbuild (Node 20 cannot import TypeScript).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
let directory = '';

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'vial-node-test-'));
  const root = resolve(import.meta.dirname, '../..');
  writeFileSync(
    join(directory, 'entry.ts'),
    [
      `export * from ${JSON.stringify(join(root, 'src/matchers/node-test.ts'))};`,
      `export { Machine } from ${JSON.stringify(join(root, 'src/machine/index.ts'))};`,
      `export { assembleOrThrow } from ${JSON.stringify(join(root, 'src/assembler/index.ts'))};`,
      `export { Undefined, Value } from ${JSON.stringify(join(root, 'src/value/index.ts'))};`,
    ].join('\n'),
  );
  await build({
    entryPoints: [join(directory, 'entry.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: join(directory, 'vial.mjs'),
    logLevel: 'silent',
  });
  writeFileSync(
    join(directory, 'div.test.mjs'),
    `import { test } from 'node:test';
import { assembleOrThrow, assertFlags, assertMatchesDefined, assertRegister, assertUndefinedValue, Machine, Undefined, Value } from './vial.mjs';

function ran(source) {
  const machine = new Machine({ mode: 64, policy: 'track' });
  machine.loadCode(assembleOrThrow(source, { mode: 64, origin: 0x1000 }).bytes, 0x1000n);
  machine.run();
  return machine;
}
const div = ran('mov eax, 7\\nxor edx, edx\\nmov ecx, 2\\ndiv ecx');

test('passing assertions', () => {
  assertRegister(div, 'eax', 3);
  assertFlags(div, { CF: Undefined, DF: 0 });
  assertMatchesDefined(div, { registers: { edx: 1 } });
  assertUndefinedValue(div.getFlag('OF'));
});
test('register fails', () => assertRegister(ran('mov ah, 0'), 'eax', 5));
test('flags fail', () => assertFlags(div, { CF: 0, DF: 0 }));
test('state fails', () => assertMatchesDefined(div, { registers: { eax: 4 } }));
test('value fails', () => assertUndefinedValue(Value.of(0, 32, 0xff)));
`,
  );
});

afterAll(() => {
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe('vial/node-test under node --test', () => {
  it('passes what holds and fails with the matchers’ messages as AssertionErrors', async () => {
    const outcome = await run(process.execPath, ['--test', '--test-reporter=tap', 'div.test.mjs'], {
      cwd: directory,
    }).then(
      (result) => ({ code: 0, stdout: result.stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toMatch(/^ok \d+ - passing assertions/m);
    for (const name of ['register fails', 'flags fail', 'state fails', 'value fails'])
      expect(outcome.stdout).toMatch(new RegExp(`^not ok \\d+ - ${name}`, 'm'));
    expect(outcome.stdout.match(/code: 'ERR_ASSERTION'/g)).toHaveLength(4);
    expect(outcome.stdout).toContain(
      'expected eax = 0x0000_0005, got 0x????_00?? (bits 0–7, 16–31 undefined)',
    );
    expect(outcome.stdout).toContain('CF    0         ?       ✗ undefined');
    expect(outcome.stdout).toContain('expected eax = 0x0000_0004, got 0x0000_0003 (bits 0–2 differ)');
    expect(outcome.stdout).toContain('expected every bit undefined, got 0x0000_00?? (bits 8–31 defined)');
    expect(outcome.stdout).toMatch(/^# pass 1$/m);
    expect(outcome.stdout).toMatch(/^# fail 4$/m);
  });
});
