/**
 * Evaluates an instruction's IR over the precise value domain: the statements are compiled once into
 * a flat list of kernel calls on slots of one frame (post-order, shared nodes once), so executing
 * them allocates nothing. Reads see the state before the instruction; exceptions are decided before
 * any effect is committed, so a faulting instruction changes nothing (x86 faults are precise).
 */
import { SLOT_WORDS } from '../value/layout.js';
import { bindKernel, SCRATCH_SLOT } from './builder.js';
import type { ExceptionVector, Expression, Location, Statement } from './expression.js';

/** What the evaluator needs from a machine. Slots are word offsets into the evaluator's frame. */
export interface MachineAccess {
  /** Copies the current value of `location` into slot `dst` of `frame`. */
  readLocation(location: Location, frame: Uint32Array, dst: number): void;
  /** Writes slot `src` of `frame` to `location`. */
  writeLocation(location: Location, frame: Uint32Array, src: number): void;
  /**
   * Loads `width` bits from the address in slot `address` into slot `dst`. Returns false when the
   * access faults (the machine records why).
   */
  load(frame: Uint32Array, dst: number, address: number, width: number, segment: 'fs' | 'gs' | null): boolean;
  /** Checks that a store of `width` bits at the address in slot `address` would succeed. */
  canStore(frame: Uint32Array, address: number, width: number, segment: 'fs' | 'gs' | null): boolean;
  /** Stores slot `value` (`width` bits) at the address in slot `address`. Called only after `canStore`. */
  store(frame: Uint32Array, address: number, value: number, width: number, segment: 'fs' | 'gs' | null): void;
  /**
   * Whether execution may go on when slot `slot` decides control flow (`what` says how): strict
   * machines refuse undefined bits there (and record why); others always return true.
   */
  checkDefined(frame: Uint32Array, slot: number, what: string): boolean;
}

/** How an instruction's evaluation ended. */
export type EvaluationOutcome =
  | { readonly kind: 'ok' }
  /** A memory access faulted (the machine knows the details). */
  | { readonly kind: 'memoryFault' }
  /** A strict machine refused an undefined condition, target or address (the machine knows which). */
  | { readonly kind: 'strictViolation' }
  | { readonly kind: 'exception'; readonly vector: ExceptionVector }
  | {
      readonly kind: 'stop';
      readonly reason: 'hlt' | 'syscall' | 'int3' | 'interrupt';
      readonly detail: number;
    };

type Step = (frame: Uint32Array, machine: MachineAccess) => boolean;

const OK: EvaluationOutcome = { kind: 'ok' };
const MEMORY_FAULT: EvaluationOutcome = { kind: 'memoryFault' };
const STRICT_VIOLATION: EvaluationOutcome = { kind: 'strictViolation' };

/** One instruction's statements, compiled for evaluation. Reusable; not re-entrant. */
export class CompiledStatements {
  private readonly steps: Step[] = [];
  private readonly slotOf = new Map<Expression, number>();
  private readonly frame: Uint32Array;
  private readonly outcomes: EvaluationOutcome[];
  /** True when a statement assigns the instruction pointer (a branch); otherwise the machine advances it. */
  readonly assignsInstructionPointer: boolean;
  /** Each statement with the frame slots it uses, resolved once. */
  private readonly plan: readonly { statement: Statement; value: number; address: number; guard: number }[];

  constructor(statements: readonly Statement[]) {
    let nextSlot = SLOT_WORDS; // slot 0 is the kernels' scratch slot
    const branchSelects = new Set<Expression>(
      statements.map(branchCondition).filter((node) => node !== null),
    );
    const allocate = (node: Expression): number => {
      const existing = this.slotOf.get(node);
      if (existing !== undefined) return existing;
      const args = node.kind === 'operation' ? node.args.map(allocate) : [];
      const address = node.kind === 'load' ? allocate(node.address) : -1;
      const guard = node.kind === 'load' && node.condition ? allocate(node.condition) : -1;
      const slot = nextSlot;
      nextSlot += SLOT_WORDS;
      this.slotOf.set(node, slot);
      this.steps.push(
        branchSelects.has(node) ? branchStep(slot, args) : stepFor(node, slot, args, address, guard),
      );
      return slot;
    };
    for (const statement of statements) {
      if (statement.kind === 'assign') allocate(statement.value);
      if (statement.kind === 'store') {
        allocate(statement.address);
        allocate(statement.value);
        if (statement.condition) allocate(statement.condition);
      }
      if (statement.kind === 'raise') allocate(statement.condition);
    }
    this.frame = new Uint32Array(nextSlot);
    const slotOrNone = (node: Expression | null) => (node ? this.slotOf.get(node)! : -1);
    this.plan = statements.map((statement) => ({
      statement,
      value: statement.kind === 'assign' || statement.kind === 'store' ? slotOrNone(statement.value) : -1,
      address: statement.kind === 'store' ? slotOrNone(statement.address) : -1,
      guard:
        statement.kind === 'store' || statement.kind === 'raise'
          ? slotOrNone(statement.condition)
          : slotOrNone(branchCondition(statement)?.args[0] ?? null),
    }));
    this.assignsInstructionPointer = statements.some(
      (statement) => statement.kind === 'assign' && statement.location.kind === 'ip',
    );
    this.outcomes = statements.map((statement) =>
      statement.kind === 'raise'
        ? { kind: 'exception', vector: statement.vector }
        : statement.kind === 'stop'
          ? { kind: 'stop', reason: statement.reason, detail: statement.detail }
          : OK,
    );
  }

  /** The frame slot holding `node`'s value after {@link evaluate} (for strict checks and tracing). */
  slot(node: Expression): number {
    const slot = this.slotOf.get(node);
    if (slot === undefined) throw new Error('expression is not part of these statements');
    return slot;
  }

  /** The evaluation frame (read it after {@link evaluate}). */
  get values(): Uint32Array {
    return this.frame;
  }

  /**
   * Evaluates every expression, then — if no load faulted, no exception is raised and every store
   * can be done — commits the assignments and stores in order.
   */
  evaluate(machine: MachineAccess): EvaluationOutcome {
    const frame = this.frame;
    // A load that returns false faulted or (strict) had an undefined address; the machine knows which.
    for (const step of this.steps) if (!step(frame, machine)) return MEMORY_FAULT;
    const plan = this.plan;
    for (let i = 0; i < plan.length; i++) {
      const { statement, value, address, guard } = plan[i];
      switch (statement.kind) {
        case 'raise':
          if (!machine.checkDefined(frame, guard, `the ${statement.vector} condition`))
            return STRICT_VIOLATION;
          if ((frame[guard] & 1) === 1) return this.outcomes[i];
          break;
        case 'assign':
          if (statement.location.kind !== 'ip') break;
          // A conditional branch: its condition first (the chosen target may be defined anyway).
          if (guard >= 0 && !machine.checkDefined(frame, guard, 'the branch condition'))
            return STRICT_VIOLATION;
          if (!machine.checkDefined(frame, value, 'the branch target')) return STRICT_VIOLATION;
          break;
        case 'stop':
          return this.outcomes[i];
        case 'store':
          if (guard >= 0) {
            if (!machine.checkDefined(frame, guard, 'whether a store happens')) return STRICT_VIOLATION;
            if ((frame[guard] & 1) === 0) break;
          }
          if (!machine.canStore(frame, address, statement.value.width, statement.segment))
            return MEMORY_FAULT;
          break;
      }
    }
    for (const { statement, value, address, guard } of plan) {
      if (statement.kind === 'assign') machine.writeLocation(statement.location, frame, value);
      else if (statement.kind === 'store' && (guard < 0 || (frame[guard] & 1) === 1)) {
        machine.store(frame, address, value, statement.value.width, statement.segment);
      }
    }
    return OK;
  }
}

/**
 * The `select` a conditional branch assigns to RIP, or null. Control flow must pick one target: with
 * an undefined condition a `track` machine goes where a `zero` machine would (the condition's
 * undefined bit reads as 0) instead of jumping to a blend of both targets; `strict` stops first.
 */
export function branchCondition(statement: Statement): (Expression & { kind: 'operation' }) | null {
  if (statement.kind !== 'assign' || statement.location.kind !== 'ip') return null;
  const value = statement.value;
  return value.kind === 'operation' && value.operation === 'select' ? value : null;
}

/** A branch's select: the arm the condition's value bit picks, with that arm's own mask. */
function branchStep(slot: number, [condition, whenTrue, whenFalse]: number[]): Step {
  return (frame) => {
    const chosen = (frame[condition] & 1) !== 0 ? whenTrue : whenFalse;
    frame[slot] = frame[chosen];
    frame[slot + 1] = frame[chosen + 1];
    frame[slot + 2] = frame[chosen + 2];
    frame[slot + 3] = frame[chosen + 3];
    return true;
  };
}

function stepFor(node: Expression, slot: number, args: number[], address: number, guard: number): Step {
  switch (node.kind) {
    case 'constant': {
      const low = Number(node.value & 0xffffffffn);
      const high = Number(node.value >> 32n);
      return (frame) => {
        frame[slot] = low;
        frame[slot + 1] = high;
        frame[slot + 2] = 0;
        frame[slot + 3] = 0;
        return true;
      };
    }
    case 'unknown': {
      const width = node.width;
      const low = width >= 32 ? 0xffffffff : 2 ** width - 1;
      const high = width <= 32 ? 0 : width >= 64 ? 0xffffffff : 2 ** (width - 32) - 1;
      return (frame) => {
        frame[slot] = 0;
        frame[slot + 1] = 0;
        frame[slot + 2] = low;
        frame[slot + 3] = high;
        return true;
      };
    }
    case 'read': {
      const location = node.location;
      return (frame, machine) => {
        machine.readLocation(location, frame, slot);
        return true;
      };
    }
    case 'load': {
      const { width, segment } = node;
      if (guard < 0) return (frame, machine) => machine.load(frame, slot, address, width, segment);
      return (frame, machine) => {
        if (!machine.checkDefined(frame, guard, 'whether a load happens')) return false;
        if ((frame[guard] & 1) === 1) return machine.load(frame, slot, address, width, segment);
        frame[slot] = frame[slot + 1] = frame[slot + 2] = frame[slot + 3] = 0;
        return true;
      };
    }
    case 'operation': {
      const kernel = bindKernel(node.operation, slot, args, node.args, node.parameters, node.width);
      return (frame) => {
        kernel(frame);
        return true;
      };
    }
  }
}

export { SCRATCH_SLOT };
