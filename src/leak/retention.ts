/**
 * Per-object retention: does this particular object get garbage-collected once you drop it?
 *
 * Timing rules this module follows (ECMAScript + V8 + Node):
 * - a WeakRef keeps its target alive until the end of the job that created or dereferenced it, so the
 *   first collection waits for a later macrotask;
 * - after a GC, WeakRefs to dead objects read `undefined` from the next macrotask on, and
 *   FinalizationRegistry callbacks run a task later still; so each round is "macrotask, GC, macrotask"
 *   and we keep going (within a bound) until every WeakRef is empty and every finaliser has run;
 * - when ordinary GCs are not eager enough, a heap snapshot forces V8's most thorough collection.
 */
import { collectViaHeapSnapshot, forceGc, nextMacrotask } from './gc.js';
import { formatRetainerPath, type HeapGraph, RetainerTree, takeHeapSnapshot } from './snapshot.js';

/** Options of {@link RetentionTracker.collect} and {@link expectCollected}. */
export interface CollectionOptions {
  /** GC rounds before giving up (a heap-snapshot collection follows as a last resort). Default 10. */
  readonly attempts?: number;
  /** On failure, take a heap snapshot and explain what retains each surviving object. Default true. */
  readonly diagnose?: boolean;
}

/** What {@link RetentionTracker.collect} observed. */
export interface CollectionResult {
  /** True when every tracked object was collected. */
  readonly collected: boolean;
  /** Objects tracked. */
  readonly tracked: number;
  /** Labels of the objects still alive. */
  readonly retained: readonly string[];
  /** Objects whose FinalizationRegistry callback has run. */
  readonly finalized: number;
  /** GC rounds used. */
  readonly rounds: number;
  /** True when the heap-snapshot collection was needed. */
  readonly usedHeapSnapshot: boolean;
  /** For retained objects: a retainer path each (when `diagnose` is on). */
  readonly diagnosis?: string;
}

/** Thrown by {@link expectCollected} when an object survives; the message carries the diagnosis. */
export class RetainedError extends Error {
  override readonly name = 'RetainedError';

  constructor(readonly result: CollectionResult) {
    super(formatCollectionFailure(result));
  }
}

/**
 * Marks a tracked object in heap snapshots: a WeakMap from the object to a probe makes V8 record an
 * edge "part of key … -> value (VialRetentionProbe) pair in WeakMap", which leads back to the object.
 */
class VialRetentionProbe {
  constructor(readonly label: string) {}
}
const PROBE_CLASS = 'VialRetentionProbe';

interface Tracked {
  readonly label: string;
  readonly ref: WeakRef<object>;
}

/**
 * Holds objects weakly and tells whether they get collected.
 *
 * @example
 * const tracker = new RetentionTracker();
 * tracker.track(widget, 'widget');
 * widget.dispose(); widget = undefined;
 * expect((await tracker.collect()).collected).toBe(true);
 */
export class RetentionTracker {
  private readonly entries: Tracked[] = [];
  private readonly probes = new WeakMap<object, VialRetentionProbe>();
  private finalizedCount = 0;
  private readonly registry = new FinalizationRegistry<string>(() => {
    this.finalizedCount++;
  });

  /** Starts tracking `object` (weakly); `label` names it in reports (default: its constructor name). */
  track(object: object, label?: string): void {
    if ((typeof object !== 'object' && typeof object !== 'function') || object === null) {
      throw new TypeError('RetentionTracker.track: only objects and functions can be tracked');
    }
    const name = label ?? defaultLabel(object, this.entries.length);
    this.entries.push({ label: name, ref: new WeakRef(object) });
    this.registry.register(object, name);
    this.probes.set(object, new VialRetentionProbe(name));
  }

  /** Number of tracked objects. */
  get size(): number {
    return this.entries.length;
  }

  /** Labels of tracked objects still alive right now (no GC). */
  alive(): string[] {
    return this.entries.filter((entry) => entry.ref.deref() !== undefined).map((entry) => entry.label);
  }

  /**
   * Collects garbage until every tracked object is gone and finalised, or the attempts run out.
   * Must be awaited from a job that no longer holds the objects (their WeakRefs keep them alive until
   * the end of the job that created them; the first round waits for a later macrotask).
   */
  async collect(options: CollectionOptions = {}): Promise<CollectionResult> {
    const attempts = Math.max(1, options.attempts ?? 10);
    const gc = forceGc();
    let rounds = 0;
    let usedHeapSnapshot = false;
    let allGone = false;
    while (rounds < attempts) {
      rounds++;
      await nextMacrotask();
      gc.collect();
      await nextMacrotask(); // WeakRefs read undefined from here; finalisers are queued
      allGone = this.countAlive() === 0;
      if (allGone && this.finalizedCount >= this.entries.length) break;
    }
    if (!allGone) {
      usedHeapSnapshot = true;
      collectViaHeapSnapshot();
      await nextMacrotask();
      allGone = this.countAlive() === 0;
    }
    if (allGone) await this.waitForFinalizers(attempts);
    const retained = this.alive();
    const diagnosis =
      retained.length > 0 && options.diagnose !== false ? await this.explainRetained() : undefined;
    return {
      collected: retained.length === 0,
      tracked: this.entries.length,
      retained,
      finalized: this.finalizedCount,
      rounds,
      usedHeapSnapshot,
      diagnosis,
    };
  }

  private countAlive(): number {
    let alive = 0;
    for (const entry of this.entries) if (entry.ref.deref() !== undefined) alive++;
    return alive;
  }

  /** Finalisers run on a task after the GC that found the objects dead; give them a few turns. */
  private async waitForFinalizers(turns: number): Promise<void> {
    for (let turn = 0; turn < turns && this.finalizedCount < this.entries.length; turn++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  /** A retainer path for each surviving tracked object, found through its probe. */
  private async explainRetained(): Promise<string> {
    await nextMacrotask(); // end the job whose WeakRef.deref() calls keep the objects alive
    const graph = await takeHeapSnapshot();
    const persistent = new RetainerTree(graph);
    let withStack: RetainerTree | undefined;
    const sections: string[] = [];
    for (const [probe, label] of findProbes(graph)) {
      const target = findProbeKey(graph, probe);
      if (target === undefined) continue;
      const name = `${graph.className(target)} @${graph.id(target)} (${label})`;
      const path = persistent.pathTo(target);
      if (path) {
        sections.push(`Retainer path of ${name}, from the GC root:\n${formatRetainerPath(path, name)}`);
        continue;
      }
      withStack ??= new RetainerTree(graph, { includeTransientRoots: true });
      const stackPath = withStack.pathTo(target);
      sections.push(
        stackPath
          ? `${name} is held only by running code (a local variable or pending call):\n` +
              formatRetainerPath(stackPath, name)
          : `${name}: no strong retainer found; it may be released by the next GC.`,
      );
    }
    return sections.join('\n') || 'No retained object could be located in the heap snapshot.';
  }
}

function defaultLabel(object: object, index: number): string {
  const name =
    typeof object === 'function' ? object.name || 'function' : object.constructor?.name || 'Object';
  return `${name} #${index + 1}`;
}

/** Probe nodes in the snapshot, with the label each carries. */
function findProbes(graph: HeapGraph): Map<number, string> {
  const probes = new Map<number, string>();
  for (let node = 0; node < graph.nodeCount; node++) {
    if (graph.type(node) !== 'object' || graph.name(node) !== PROBE_CLASS) continue;
    let label = '?';
    graph.forEachEdge(node, (_type, edgeName, target) => {
      if (edgeName === 'label') label = graph.name(target);
    });
    probes.set(node, label);
  }
  return probes;
}

/**
 * The WeakMap key whose value is `probe`. V8 names the key → value edge
 * "N / part of key (Class @id) -> value (VialRetentionProbe @id) pair in WeakMap (table @id)".
 */
function findProbeKey(graph: HeapGraph, probe: number): number | undefined {
  let keyId: number | undefined;
  for (let node = 0; node < graph.nodeCount && keyId === undefined; node++) {
    graph.forEachEdge(node, (_type, edgeName, target) => {
      const match = target === probe ? /part of key \(.* @(\d+)\) -> value/.exec(edgeName) : null;
      if (match) keyId = Number(match[1]);
    });
  }
  if (keyId === undefined) return undefined;
  for (let node = 0; node < graph.nodeCount; node++) if (graph.id(node) === keyId) return node;
  return undefined;
}

function formatCollectionFailure(result: CollectionResult): string {
  const lines = [
    `${result.retained.length} of ${result.tracked} object(s) were not garbage-collected after ` +
      `${result.rounds} GC round(s)${result.usedHeapSnapshot ? ' and a heap-snapshot collection' : ''}: ` +
      `${result.retained.join(', ')}`,
  ];
  if (result.diagnosis) lines.push(result.diagnosis);
  return lines.join('\n');
}

/**
 * Calls `factory`, tracks the object(s) it returns, drops them and asserts that they are collected.
 * Throws {@link RetainedError} (with retainer paths) when one survives. The factory should do the whole
 * lifecycle (create, use, dispose) and return what should then be garbage.
 *
 * @example
 * await expectCollected(() => { const view = new View(); view.dispose(); return view; });
 */
export async function expectCollected(
  factory: () => object | readonly object[] | Promise<object | readonly object[]>,
  options: CollectionOptions = {},
): Promise<CollectionResult> {
  const tracker = new RetentionTracker();
  await trackProduced(tracker, factory);
  const result = await tracker.collect(options);
  if (!result.collected) throw new RetainedError(result);
  return result;
}

/** Separate function so that no frame of `expectCollected` holds the produced objects. */
async function trackProduced(
  tracker: RetentionTracker,
  factory: () => object | readonly object[] | Promise<object | readonly object[]>,
): Promise<void> {
  const produced: object | readonly object[] = await factory();
  const objects: readonly object[] = Array.isArray(produced) ? produced : [produced];
  for (const object of objects) tracker.track(object);
}
