/**
 * Diagnosis on failure: the heap-snapshot diff names the leaking constructor and prints a retainer
 * path from a GC root to one leaked object.
 */
import { describe, expect, test } from 'vitest';
import { checkLeak, formatLeakReport } from '../../src/leak/index.js';
import { HeapGraph, RetainerTree, summarizeByClass, takeHeapSnapshot } from '../../src/leak/snapshot.js';
import * as cases from './fixtures/cases.js';

describe('leak diagnosis', () => {
  test('names the leaking class and shows how it is retained', async () => {
    const result = await checkLeak(cases.sessionRegistryLeak);
    expect(result.leaked).toBe(true);
    const diagnosis = result.diagnosis!;
    const sessions = diagnosis.growers.find((g) => g.className === 'UserSession');
    expect(sessions?.countDelta).toBe(diagnosis.iterations);
    expect(diagnosis.leakedObject?.className).toBe('UserSession');
    const holders = diagnosis.leakedObject!.retainerPath.map((step) => step.holder);
    expect(holders[0]).toBe('(root)');
    expect(holders).toContain('Map');
    expect(diagnosis.text).toMatch(/UserSession\s+\+\d+\s+\+[\d.]+ KB/);
    expect(diagnosis.text).toMatch(/Retainer path of one new UserSession @\d+, from the GC root:/);
    const report = formatLeakReport(result, 'sessionRegistryLeak');
    expect(report).toMatch(/^LEAK: sessionRegistryLeak leaks/);
    expect(report).toContain(diagnosis.text);
  });

  test('follows listeners: the path goes through the emitter', async () => {
    const result = await checkLeak(cases.listenerLeak, { iterations: 300 });
    const path = result.diagnosis?.leakedObject?.retainerPath ?? [];
    expect(result.diagnosis?.leakedObject?.className).toBe('(closure)');
    expect(path.map((step) => step.holder)).toContain('EventEmitter');
    expect(path.map((step) => step.edge)).toContain('message');
  });

  test('points at external memory for a WebAssembly leak', async () => {
    const result = await checkLeak(cases.wasmLeak, { iterations: 300 });
    expect(result.diagnosis?.text).toMatch(/Most of the growth \([\d.]+ B\/call\) is external memory/);
  });
});

describe('heap snapshot graph', () => {
  test('reads a snapshot of this isolate', async () => {
    const marker = new (class SnapshotMarkerForTest {})();
    const graph = await takeHeapSnapshot();
    expect(graph).toBeInstanceOf(HeapGraph);
    expect(graph.nodeCount).toBeGreaterThan(10_000);
    const tree = new RetainerTree(graph, { includeTransientRoots: true });
    const totals = summarizeByClass(graph, tree);
    expect(totals.get('SnapshotMarkerForTest')?.count).toBe(1);
    expect(marker).toBeDefined();
  });
});
