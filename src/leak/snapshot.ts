/**
 * Heap snapshots of the current isolate (`v8.getHeapSnapshot()`), read into a compact graph, summarised
 * by constructor, diffed, and searched for retainer paths. Used only to explain a leak, never to
 * decide one, so speed matters less than clarity (a snapshot of a test worker takes ~0.5–2 s).
 *
 * The snapshot format: `nodes` and `edges` are flat number arrays described by `snapshot.meta`; a
 * node's edges follow those of the previous node; an edge's `to_node` is an index into `nodes`.
 * Node ids are stable across snapshots of one isolate, so a node in the second snapshot whose id is
 * not in the first is an object allocated in between.
 */
import v8 from 'node:v8';

interface SnapshotJson {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** A heap snapshot as a graph: node `i` is the i-th node of the snapshot. */
export class HeapGraph {
  readonly nodeCount: number;
  private readonly nodeFields: number;
  private readonly edgeFields: number;
  private readonly firstEdge: Uint32Array;
  private readonly offsets: { type: number; name: number; id: number; size: number; edgeCount: number };
  private readonly edgeOffsets: { type: number; name: number; to: number };

  constructor(private readonly json: SnapshotJson) {
    const { meta } = json.snapshot;
    this.nodeFields = meta.node_fields.length;
    this.edgeFields = meta.edge_fields.length;
    this.offsets = {
      type: meta.node_fields.indexOf('type'),
      name: meta.node_fields.indexOf('name'),
      id: meta.node_fields.indexOf('id'),
      size: meta.node_fields.indexOf('self_size'),
      edgeCount: meta.node_fields.indexOf('edge_count'),
    };
    this.edgeOffsets = {
      type: meta.edge_fields.indexOf('type'),
      name: meta.edge_fields.indexOf('name_or_index'),
      to: meta.edge_fields.indexOf('to_node'),
    };
    this.nodeCount = json.nodes.length / this.nodeFields;
    this.firstEdge = new Uint32Array(this.nodeCount + 1);
    for (let node = 0; node < this.nodeCount; node++) {
      const edgeCount = json.nodes[node * this.nodeFields + this.offsets.edgeCount];
      this.firstEdge[node + 1] = this.firstEdge[node] + edgeCount * this.edgeFields;
    }
  }

  /** Node type: 'object', 'closure', 'string', 'hidden', 'native', 'synthetic', … */
  type(node: number): string {
    return this.json.snapshot.meta.node_types[0][this.json.nodes[node * this.nodeFields + this.offsets.type]];
  }

  /** Node name: the constructor for objects, the function name for closures, the text for strings. */
  name(node: number): string {
    return this.json.strings[this.json.nodes[node * this.nodeFields + this.offsets.name]];
  }

  id(node: number): number {
    return this.json.nodes[node * this.nodeFields + this.offsets.id];
  }

  selfSize(node: number): number {
    return this.json.nodes[node * this.nodeFields + this.offsets.size];
  }

  /** Calls `visit(edgeType, edgeName, target)` for each outgoing edge of `node`. */
  forEachEdge(node: number, visit: (type: string, name: string, target: number) => void): void {
    const { edges, strings, snapshot } = this.json;
    const edgeTypes = snapshot.meta.edge_types[0];
    for (let edge = this.firstEdge[node]; edge < this.firstEdge[node + 1]; edge += this.edgeFields) {
      const type = edgeTypes[edges[edge + this.edgeOffsets.type]];
      const rawName = edges[edge + this.edgeOffsets.name];
      const name = type === 'element' || type === 'hidden' ? String(rawName) : strings[rawName];
      visit(type, name, edges[edge + this.edgeOffsets.to] / this.nodeFields);
    }
  }

  /**
   * The group an object is counted under, as in Chrome DevTools' "Summary" view: the constructor name
   * for objects, `(closure)`, `(string)`, `(array)`, `(system)`, …
   */
  className(node: number): string {
    const type = this.type(node);
    switch (type) {
      case 'object':
      case 'native':
        return this.name(node) || '(anonymous object)';
      case 'hidden':
        return '(system)';
      case 'code':
        return '(compiled code)';
      case 'synthetic':
        return this.name(node) || '(root)';
      default:
        return `(${type})`;
    }
  }
}

/** Takes a heap snapshot of the current isolate (after V8's most thorough GC) and parses it. */
export async function takeHeapSnapshot(): Promise<HeapGraph> {
  const chunks: Buffer[] = [];
  for await (const chunk of v8.getHeapSnapshot()) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  chunks.length = 0;
  return new HeapGraph(JSON.parse(text) as SnapshotJson);
}

/** Count and self size of the live objects of one class. */
export interface ClassTotals {
  count: number;
  bytes: number;
}

/** Live objects per {@link HeapGraph.className}, counting only nodes the tree reaches. */
export function summarizeByClass(graph: HeapGraph, reachable: RetainerTree): Map<string, ClassTotals> {
  const totals = new Map<string, ClassTotals>();
  for (let node = 0; node < graph.nodeCount; node++) {
    if (!reachable.reaches(node) || graph.type(node) === 'synthetic') continue;
    const name = graph.className(node);
    const entry = totals.get(name);
    if (entry) {
      entry.count++;
      entry.bytes += graph.selfSize(node);
    } else {
      totals.set(name, { count: 1, bytes: graph.selfSize(node) });
    }
  }
  return totals;
}

/** How one class changed between two snapshots. */
export interface ClassGrowth {
  readonly className: string;
  readonly countDelta: number;
  readonly bytesDelta: number;
  readonly countAfter: number;
  readonly bytesAfter: number;
}

/** Classes whose count or size grew from `before` to `after`, largest byte growth first. */
export function diffByClass(
  before: Map<string, ClassTotals>,
  after: Map<string, ClassTotals>,
): ClassGrowth[] {
  const growth: ClassGrowth[] = [];
  for (const [className, now] of after) {
    const then = before.get(className) ?? { count: 0, bytes: 0 };
    const countDelta = now.count - then.count;
    const bytesDelta = now.bytes - then.bytes;
    if (countDelta > 0 || bytesDelta > 0) {
      growth.push({ className, countDelta, bytesDelta, countAfter: now.count, bytesAfter: now.bytes });
    }
  }
  return growth.sort((a, b) => b.bytesDelta - a.bytesDelta || b.countDelta - a.countDelta);
}

/** The ids of every node, sorted, to recognise objects allocated after this snapshot. */
export function sortedNodeIds(graph: HeapGraph): Float64Array {
  const ids = new Float64Array(graph.nodeCount);
  for (let node = 0; node < graph.nodeCount; node++) ids[node] = graph.id(node);
  return ids.sort();
}

/** True when `id` is in the sorted array (binary search). */
export function hasId(sortedIds: Float64Array, id: number): boolean {
  let low = 0;
  let high = sortedIds.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (sortedIds[middle] === id) return true;
    if (sortedIds[middle] < id) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

/** One step of a retainer path: `holder` refers to the next step through `edge`. */
export interface RetainerStep {
  /** Class of the holding object, e.g. `Array`, `(closure)`, `(system)`. */
  readonly holder: string;
  /** Name of the holder (function name for closures, `system / Context`, …). */
  readonly holderName: string;
  readonly edgeType: string;
  /** Property name, array index or internal slot name. */
  readonly edge: string;
}

/**
 * Roots that hold objects only while the current code runs (the stack of the diagnosing code itself, its
 * handles). Leaving them out keeps the diagnosis's own data out of the diff and makes retainer paths
 * end at the module variable, global or listener list that really keeps a leaked object alive.
 */
const TRANSIENT_ROOTS = new Set(['(Stack roots)', '(Handle scope)']);

/**
 * Root edges that are transient too (matched as substrings of the edge name): objects a WeakRef was
 * dereferenced to in the current job, the microtask now running, V8's identity maps (used while the
 * snapshot itself is being taken).
 */
const TRANSIENT_ROOT_EDGES = ['weak_refs_keep_during_job', 'current_microtask', 'IdentityMap'];

function isTransientRootEdge(holderType: string, edgeName: string): boolean {
  return holderType === 'synthetic' && TRANSIENT_ROOT_EDGES.some((part) => edgeName.includes(part));
}

/**
 * A breadth-first tree of strong references from the snapshot root: shortest retainer paths. Weak
 * edges, references out of compiled code and feedback (which V8 drops on its own) and, unless asked
 * for, the transient roots are not followed.
 */
export class RetainerTree {
  private readonly parent: Int32Array;
  private readonly parentEdgeType: string[];
  private readonly parentEdgeName: string[];

  constructor(
    private readonly graph: HeapGraph,
    options: { readonly includeTransientRoots?: boolean } = {},
  ) {
    const skipRoots = options.includeTransientRoots ? new Set<string>() : TRANSIENT_ROOTS;
    const count = graph.nodeCount;
    this.parent = new Int32Array(count).fill(-1);
    this.parentEdgeType = new Array(count);
    this.parentEdgeName = new Array(count);
    const queue = new Int32Array(count);
    let head = 0;
    let tail = 0;
    queue[tail++] = 0;
    this.parent[0] = 0;
    while (head < tail) {
      const node = queue[head++];
      if (graph.type(node) === 'code') continue;
      graph.forEachEdge(node, (type, name, next) => {
        if (type === 'weak' || this.parent[next] !== -1) return;
        if (graph.type(next) === 'synthetic' && skipRoots.has(graph.name(next))) return;
        if (!options.includeTransientRoots && isTransientRootEdge(graph.type(node), name)) return;
        this.parent[next] = node;
        this.parentEdgeType[next] = type;
        this.parentEdgeName[next] = name;
        queue[tail++] = next;
      });
    }
  }

  /** The node through which the tree reaches `node` (-1 when unreachable; the root is its own parent). */
  parentOf(node: number): number {
    return this.parent[node];
  }

  /** True when the node is strongly reachable from a persistent root. */
  reaches(node: number): boolean {
    return this.parent[node] !== -1;
  }

  /** The shortest chain of strong references from the root to `target`, root side first. */
  pathTo(target: number): RetainerStep[] | undefined {
    if (!this.reaches(target)) return undefined;
    const steps: RetainerStep[] = [];
    for (let node = target; node !== 0; node = this.parent[node]) {
      const holder = this.parent[node];
      steps.push({
        holder: this.graph.className(holder),
        holderName: this.graph.name(holder),
        edgeType: this.parentEdgeType[node],
        edge: this.parentEdgeName[node],
      });
    }
    return steps.reverse();
  }
}

/** Formats a retainer path one step per line, from the GC root to `targetLabel`. */
export function formatRetainerPath(steps: readonly RetainerStep[], targetLabel: string): string {
  const lines = steps.map((step) => {
    const holder =
      step.holder === step.holderName || !step.holderName ? step.holder : `${step.holder} ${step.holderName}`;
    const indexed = step.edgeType === 'element' || step.edgeType === 'hidden';
    const via = indexed ? `[${step.edge}]` : `.${step.edge}`;
    return `  ${holder} ${via}`;
  });
  return [...lines, `  → ${targetLabel}`].join('\n');
}
