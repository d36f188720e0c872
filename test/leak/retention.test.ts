/**
 * Per-object retention with WeakRef / FinalizationRegistry, and its timing rules.
 */
import { describe, expect, test } from 'vitest';
import { expectCollected, RetainedError, RetentionTracker } from '../../src/leak/index.js';

class Widget {
  readonly pixels = new Array<number>(1000).fill(0);
  onClick = (): void => {};
}

const registry = new Map<string, Widget>();

describe('expectCollected', () => {
  test('passes for an object nothing keeps', async () => {
    const result = await expectCollected(() => new Widget());
    expect(result).toMatchObject({ collected: true, tracked: 1, retained: [], finalized: 1 });
  });

  test('passes for reference cycles (the seed warns about them; JS collects them)', async () => {
    await expectCollected(() => {
      const parent: { children: object[] } = { children: [] };
      const child = { parent };
      parent.children.push(child);
      const self = { lookup: {} as Record<number, () => void> };
      self.lookup = { 0: () => self, 1: () => self.lookup };
      return [parent, child, self];
    });
  });

  test('passes for an async factory', async () => {
    await expectCollected(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return new Widget();
    });
  });

  test('fails with a retainer path for an object kept in a module-level Map', async () => {
    const error = await expectCollected(() => {
      const widget = new Widget();
      registry.set('main', widget);
      return widget;
    }).catch((e: unknown) => e);
    registry.clear();
    expect(error).toBeInstanceOf(RetainedError);
    const { result, message } = error as RetainedError;
    expect(result.collected).toBe(false);
    expect(result.retained).toEqual(['Widget #1']);
    expect(result.usedHeapSnapshot).toBe(true);
    expect(message).toMatch(/1 of 1 object\(s\) were not garbage-collected/);
    expect(message).toMatch(/Retainer path of Widget @\d+ \(Widget #1\), from the GC root:/);
    expect(message).toContain('Map');
  });
});

describe('RetentionTracker', () => {
  test('WeakRefs are not cleared in the same job; collect() waits for later macrotasks', async () => {
    const tracker = new RetentionTracker();
    tracker.track(new Widget(), 'short-lived');
    expect(tracker.alive()).toEqual(['short-lived']); // kept alive until the end of this job
    const result = await tracker.collect();
    expect(result.collected).toBe(true);
    expect(result.finalized).toBe(1); // the finaliser ran too
    expect(tracker.alive()).toEqual([]);
  });

  test('reports which of several objects survive', async () => {
    const tracker = new RetentionTracker();
    const kept = new Widget();
    tracker.track(kept, 'kept');
    tracker.track(new Widget(), 'dropped');
    const result = await tracker.collect({ attempts: 3, diagnose: false });
    expect(result.collected).toBe(false);
    expect(result.retained).toEqual(['kept']);
    expect(result.diagnosis).toBeUndefined();
    expect(kept.pixels.length).toBe(1000);
  });

  test('only objects can be tracked', () => {
    expect(() => new RetentionTracker().track(1 as unknown as object)).toThrow(TypeError);
  });
});
