/**
 * Explaining a leak: run a few more calls between two heap snapshots, list the classes that grew, and
 * show how one newly allocated survivor of the top class is reachable from a GC root.
 */
import { formatBytes } from './format.js';
import {
  type ClassGrowth,
  diffByClass,
  formatRetainerPath,
  type HeapGraph,
  hasId,
  type RetainerStep,
  RetainerTree,
  sortedNodeIds,
  summarizeByClass,
  takeHeapSnapshot,
} from './snapshot.js';

/** One object that survived the diagnostic calls. */
export interface LeakedObject {
  readonly className: string;
  /** Snapshot id (what DevTools shows as `@id`). */
  readonly id: number;
  /** Strong references from the GC root to the object, root side first. */
  readonly retainerPath: readonly RetainerStep[];
}

/** Heap-snapshot evidence for a leak. */
export interface LeakDiagnosis {
  /** Calls made between the two snapshots. */
  readonly iterations: number;
  /** Classes that grew between the snapshots, largest byte growth first (at most 10). */
  readonly growers: readonly ClassGrowth[];
  /** A new object of the most suspicious class, with its retainer path (when one was found). */
  readonly leakedObject?: LeakedObject;
  /** The whole diagnosis as readable text. */
  readonly text: string;
  /** Time taken by the snapshots and extra calls (1–5 s, more for big heaps). */
  readonly durationMs: number;
}

const TOP_GROWERS = 10;

/** Bookkeeping classes that grow along with any leak but never name its cause. */
function isUserClass(className: string): boolean {
  return !className.startsWith('(') || className === '(closure)';
}

/**
 * The class to blame: a user-visible class that gained about one object per call (or more), largest
 * byte growth first; failing that, any grower.
 */
function pickSuspect(growers: readonly ClassGrowth[], iterations: number): ClassGrowth | undefined {
  const perCall = growers.filter((g) => isUserClass(g.className) && g.countDelta >= iterations / 2);
  return perCall[0] ?? growers.find((g) => isUserClass(g.className)) ?? growers[0];
}

/**
 * A representative new object of `className`: leaked objects usually share one holder (the array,
 * Map table or listener list they pile up in), so take the holder of most new objects of the class and
 * the newest object it holds. Incidental new objects (a promise reaction, a cache line) lose the vote.
 */
function representativeNewNode(
  graph: HeapGraph,
  tree: RetainerTree,
  className: string,
  oldIds: Float64Array,
): number | undefined {
  const byHolder = new Map<number, number[]>();
  for (let node = 0; node < graph.nodeCount; node++) {
    if (!tree.reaches(node) || graph.className(node) !== className || hasId(oldIds, graph.id(node))) continue;
    const holder = tree.parentOf(node);
    const held = byHolder.get(holder);
    if (held) held.push(node);
    else byHolder.set(holder, [node]);
  }
  let best: number[] | undefined;
  for (const held of byHolder.values()) if (!best || held.length > best.length) best = held;
  if (!best) return undefined;
  return best.reduce((newest, node) => (graph.id(node) > graph.id(newest) ? node : newest));
}

function formatGrowers(growers: readonly ClassGrowth[]): string {
  const width = Math.max(11, ...growers.map((g) => g.className.length));
  const header = `  ${'Constructor'.padEnd(width)}  ${'+count'.padStart(9)}  ${'+bytes'.padStart(10)}`;
  const rows = growers.map(
    (g) =>
      `  ${g.className.padEnd(width)}  ${`+${g.countDelta}`.padStart(9)}  ${`+${formatBytes(g.bytesDelta)}`.padStart(10)}`,
  );
  return [header, ...rows].join('\n');
}

/**
 * Takes a heap snapshot, calls `runCalls(iterations)`, takes another and compares them. `extraNote` is
 * appended (e.g. that the growth is in external memory, which snapshots do not itemise).
 */
export async function diagnoseLeak(
  runCalls: (count: number) => Promise<void>,
  iterations: number,
  extraNote?: string,
): Promise<LeakDiagnosis> {
  const started = performance.now();
  let before: HeapGraph | undefined = await takeHeapSnapshot();
  const beforeTotals = summarizeByClass(before, new RetainerTree(before));
  const beforeIds = sortedNodeIds(before);
  before = undefined; // let the first graph go before the second is built

  await runCalls(iterations);

  const after = await takeHeapSnapshot();
  const tree = new RetainerTree(after);
  const growers = diffByClass(beforeTotals, summarizeByClass(after, tree)).slice(0, TOP_GROWERS);
  const suspect = pickSuspect(growers, iterations);
  const lines = [`Heap snapshot diff over ${iterations} more call(s), by constructor:`];
  lines.push(growers.length ? formatGrowers(growers) : '  (no class grew on the V8 heap)');

  let leakedObject: LeakedObject | undefined;
  const node = suspect ? representativeNewNode(after, tree, suspect.className, beforeIds) : undefined;
  if (suspect && node !== undefined) {
    const path = tree.pathTo(node);
    const label = `${suspect.className} @${after.id(node)}`;
    if (path) {
      leakedObject = { className: suspect.className, id: after.id(node), retainerPath: path };
      lines.push(`Retainer path of one new ${label}, from the GC root:`, formatRetainerPath(path, label));
    } else {
      lines.push(`No strong retainer path found for ${label} (only weakly held).`);
    }
  }
  if (extraNote) lines.push(extraNote);
  return {
    iterations,
    growers,
    leakedObject,
    text: lines.join('\n'),
    durationMs: performance.now() - started,
  };
}
