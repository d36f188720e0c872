/**
 * Forced GC without command-line flags, on the main thread of this test worker, in a worker thread and
 * in a child process (the situations of Vitest's `threads` and `forks` pools).
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { collectViaHeapSnapshot } from '../../src/leak/gc.js';
import { collectGarbage, forceGc, sampleMemory } from '../../src/leak/index.js';
import { bundleLeakModule, writeScript } from './support/bundle.js';

describe('forceGc in this process', () => {
  test('works without --expose-gc and leaves the flag as it was', () => {
    const gc = forceGc();
    expect(gc.method).toBe(
      typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'global-gc' : 'vm-context',
    );
    expect(forceGc()).toBe(gc); // cached
    if (gc.method === 'vm-context') {
      expect(vm.runInNewContext('typeof gc')).toBe('undefined'); // --expose-gc switched back off
      expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    }
  });

  test('really collects: garbage disappears from the heap', async () => {
    await collectGarbage();
    const before = sampleMemory().heapBytes;
    let garbage: number[][] | undefined = Array.from({ length: 10_000 }, () =>
      new Array<number>(100).fill(1),
    );
    expect(sampleMemory().heapBytes - before).toBeGreaterThan(8_000_000); // ~8 MB of arrays
    garbage = undefined;
    await collectGarbage();
    expect(garbage).toBeUndefined();
    expect(sampleMemory().heapBytes - before).toBeLessThan(1_000_000);
  });

  test('clears WeakRefs on a later macrotask', async () => {
    const ref = (() => new WeakRef({ payload: new Array(1000).fill(0) }))();
    await collectGarbage();
    await new Promise((resolve) => setImmediate(resolve));
    expect(ref.deref()).toBeUndefined();
  });

  test('the heap-snapshot fallback collects too', async () => {
    const ref = (() => new WeakRef({ payload: new Array(1000).fill(0) }))();
    await new Promise((resolve) => setImmediate(resolve)); // end the job that created the WeakRef
    collectViaHeapSnapshot();
    await new Promise((resolve) => setImmediate(resolve));
    expect(ref.deref()).toBeUndefined();
  });
});

/** The same script runs in a worker thread and in a child process and reports what it saw. */
const probeScript = `
import vm from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { checkLeak, expectCollected, forceGc } from './leak.mjs';

const method = forceGc().method;
const kept = [];
// A clear leak (~300 B/call): this test is about GC working here, not about sensitivity.
const leak = await checkLeak(() => { kept.push({ id: kept.length, tags: new Array(32).fill(0) }); }, { diagnose: false, timeBudgetMs: 1500 });
const clean = await checkLeak(() => ({ id: 1, tags: ['x'] }).tags.length, { timeBudgetMs: 1500 });
const collected = await expectCollected(() => ({ big: new Array(1000).fill(1) })).then(() => true, () => false);
const report = {
  method,
  leakFound: leak.leaked,
  cleanFlagged: clean.leaked,
  collected,
  flagRestored: vm.runInNewContext('typeof gc') === 'undefined',
};
if (parentPort) parentPort.postMessage(report);
else process.stdout.write(JSON.stringify(report));
`;

describe('forced GC elsewhere', () => {
  let directory = '';
  beforeAll(async () => {
    directory = await bundleLeakModule();
    writeScript(directory, 'probe.mjs', probeScript);
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const expected = {
    method: 'vm-context',
    leakFound: true,
    cleanFlagged: false,
    collected: true,
    flagRestored: true,
  };

  test('in a worker thread', async () => {
    const worker = new Worker(`${directory}/probe.mjs`);
    const report = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(report, JSON.stringify(report)).toEqual(expected);
  });

  test('in a child process', async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [`${directory}/probe.mjs`], { timeout: 30_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      );
    });
    expect(JSON.parse(stdout), stdout).toEqual(expected);
  });

  test('a child process started with --expose-gc uses global.gc and keeps it', async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--expose-gc', `${directory}/probe.mjs`],
        { timeout: 30_000 },
        (error, out) => (error ? reject(error) : resolve(out)),
      );
    });
    expect(JSON.parse(stdout), stdout).toEqual({ ...expected, method: 'global-gc', flagRestored: false });
  });
});
