/**
 * `expect(fn).not.toLeak()` in Vitest (registered on the real `expect`), the structural contract Jest
 * relies on, and the `node:test` helper (run by `node --test` in a child process).
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assertLeaks, assertNoLeak, registerLeakMatchers, toLeak } from '../../src/leak/index.js';
import { listenerLeak, parentLinkedTree, sessionRegistryLeak } from './fixtures/cases.js';
import { bundleLeakModule, writeScript } from './support/bundle.js';

registerLeakMatchers(expect);

/** The matchers pass options through; default-option behaviour is covered by check-leak.test.ts. */
const quick = { iterations: 200 } as const;

describe('Vitest matcher', () => {
  test('not.toLeak passes for a function that does not leak', async () => {
    await expect(parentLinkedTree).not.toLeak(quick);
  });

  test('toLeak passes for a leaking function', async () => {
    await expect(listenerLeak).toLeak({ ...quick, diagnose: false });
  });

  test('not.toLeak fails with the report and the diagnosis', async () => {
    const error = await expect(sessionRegistryLeak)
      .not.toLeak(quick)
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^expected sessionRegistryLeak not to leak, but surviving memory grows/,
    );
    expect((error as Error).message).toMatch(/Retainer path of one new UserSession/);
  });

  test('toLeak fails with the report when nothing leaks', async () => {
    await expect(expect(parentLinkedTree).toLeak(quick)).rejects.toThrow(
      /expected parentLinkedTree to leak, but surviving memory does not grow/,
    );
  });

  test('a non-function is a failure either way', async () => {
    await expect(expect(42).toLeak()).rejects.toThrow(/received must be a function, got number/);
    await expect(expect('x').not.toLeak()).rejects.toThrow(/received must be a function, got string/);
  });
});

describe('structural matcher contract (what Jest calls)', () => {
  test('reads this.isNot and returns { pass, message }', async () => {
    const negated = await toLeak.call({ isNot: true }, parentLinkedTree, quick);
    expect(negated.pass).toBe(false);
    expect(negated.message()).toMatch(/expected parentLinkedTree to leak/);
    const plain = await toLeak.call({ isNot: false }, listenerLeak, quick);
    expect(plain.pass).toBe(true);
    expect(plain.message()).toMatch(/expected listenerLeak not to leak/);
  });
});

describe('node:test helper', () => {
  test('assertNoLeak resolves for clean code and throws an AssertionError for a leak', async () => {
    await expect(assertNoLeak(parentLinkedTree, { iterations: 100 })).resolves.toMatchObject({
      leaked: false,
    });
    const error = await assertNoLeak(sessionRegistryLeak, { diagnose: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AssertionError', operator: 'assertNoLeak' });
    expect((error as Error).message).toMatch(/^LEAK: sessionRegistryLeak leaks/);
    await expect(assertLeaks(parentLinkedTree, quick)).rejects.toThrow(/no leak/);
  });

  let directory = '';
  beforeAll(async () => {
    directory = await bundleLeakModule();
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  test('works under `node --test`', async () => {
    const script = writeScript(
      directory,
      'leak.test.mjs',
      `import { test } from 'node:test';
import { assertNoLeak } from './leak.mjs';
const kept = [];
test('clean', () => assertNoLeak(() => ({ a: [1, 2, 3] }).a.length, { timeBudgetMs: 1000 }));
test('leaky', () => assertNoLeak(() => kept.push({ a: [1, 2, 3] }), { timeBudgetMs: 1000 }));
`,
    );
    const output = await new Promise<string>((resolve) => {
      execFile(
        process.execPath,
        ['--test', '--test-reporter=tap', script],
        { timeout: 60_000 },
        (_error, stdout) => resolve(stdout),
      );
    });
    expect(output).toMatch(/^ok \d+ - clean$/m);
    expect(output).toMatch(/^not ok \d+ - leaky$/m);
    expect(output).toMatch(/LEAK: function leaks/);
    expect(output).toMatch(/Retainer path of one new Object/);
  });
});
