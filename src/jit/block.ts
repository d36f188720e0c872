/**
 * Compiles a basic block — straight-line instructions ending at a branch — from the IR of its
 * instructions into one JavaScript function (`new Function`), so V8 optimises it as ordinary code.
 *
 * Exactness rules (the interpreter, `ir/evaluate.ts`, is the reference and the differential tests
 * in `test/jit/` hold the compiled path to it):
 * * Each instruction evaluates every expression first (reads see the state before it), then checks
 *   its raises and stores, then commits — so a fault leaves no partial effect. Anything unusual
 *   (a fault, a raise, a page-crossing or code-page store, a non-canonical address) leaves the block
 *   *before* that instruction with RIP pointing at it; the machine then runs that one instruction in
 *   the interpreter, which reports the fault exactly. Compiled code never builds error reports.
 * * A flag write is dropped when a later instruction of the block overwrites the flag with nothing
 *   in between that reads it or can leave the block (dead-flag elimination: on x86 most flags die).
 * * A block whose branch can jump back to its own start loops inside the function while the step
 *   budget allows, so a hot loop runs without returning to the dispatcher.
 *
 * The block function returns the number of instructions executed; a negative number `-(n + 1)`
 * means it left early after `n` instructions and the next one must be interpreted.
 */
import { branchCondition } from '../ir/evaluate.js';
import type { Expression, FlagBit, Location, Statement } from '../ir/expression.js';
import {
  type CarriedWords,
  ExpressionCompiler,
  type GeneratedValue,
  NotCompilable,
  type StateLayout,
} from './expressions.js';
import type { MemoryPort } from './memory-port.js';
import * as runtime from './runtime.js';
import { restartTemplateTemporaries } from './templates.js';

/** A compiled block: run it on the machine's state array and memory port with a step budget. */
export type BlockFunction = (state: Uint32Array, memory: MemoryPort, budget: number) => number;

/** One decoded instruction as the block compiler needs it. */
export interface BlockInstruction {
  /** Equal ids mean equal bytes at the same address in the same mode (so equal statements). */
  readonly id: number;
  readonly address: number;
  readonly length: number;
  readonly statements: readonly Statement[];
}

/** What the compiler needs to know about the machine. */
export interface BlockEnvironment {
  readonly mode: 32 | 64;
  /** True in track mode. */
  readonly keepUndefined: boolean;
  readonly layout: StateLayout;
  /** Word offset of the instruction pointer's slot. */
  readonly instructionPointerOffset: number;
  /** The instruction at an address, or null where a block must end (end of code, undecodable…). */
  fetch(address: number): BlockInstruction | null;
}

/** A compiled block. */
export interface CompiledBlock {
  readonly start: number;
  /** Instructions in one pass through the block. */
  readonly length: number;
  readonly run: BlockFunction;
  /** The generated source, for people debugging the compiler. */
  readonly source: string;
  /** The block most recently run after this one, and the address it started at (dispatch cache). */
  next: CompiledBlock | null;
  nextStart: number;
  /** The successor before that one. */
  other: CompiledBlock | null;
  otherStart: number;
}

/** Longest block, in instructions (longer straight-line code is split; V8 compiles big functions slowly). */
export const MAX_BLOCK_INSTRUCTIONS = 64;

/** Facts about one instruction's statements used for dead-flag elimination and block ending. */
interface InstructionFacts {
  readonly readsFlags: ReadonlySet<FlagBit>;
  readonly writesFlags: ReadonlySet<FlagBit>;
  /** True when it can leave the block early (loads, stores, raises). */
  readonly canExit: boolean;
  readonly assignsInstructionPointer: boolean;
  /** True when only the interpreter can run it (stops, CPUID, RDTSC, RIP reads). */
  readonly interpretOnly: boolean;
}

function factsOf(statements: readonly Statement[]): InstructionFacts {
  const readsFlags = new Set<FlagBit>();
  const writesFlags = new Set<FlagBit>();
  let canExit = false;
  let interpretOnly = false;
  const seen = new Set<Expression>();
  const visit = (node: Expression): void => {
    if (seen.has(node)) return;
    seen.add(node);
    if (node.kind === 'read') {
      const kind = node.location.kind;
      if (kind === 'flag') readsFlags.add(node.location.flag);
      if (kind === 'ip' || kind === 'processorInfo' || kind === 'timestampCounter') interpretOnly = true;
    } else if (node.kind === 'load') {
      canExit = true;
      visit(node.address);
      if (node.condition) visit(node.condition);
    } else if (node.kind === 'operation') {
      for (const arg of node.args) visit(arg);
    }
  };
  for (const statement of statements) {
    switch (statement.kind) {
      case 'assign':
        visit(statement.value);
        if (statement.location.kind === 'flag') writesFlags.add(statement.location.flag);
        break;
      case 'store':
        canExit = true;
        visit(statement.address);
        visit(statement.value);
        if (statement.condition) visit(statement.condition);
        break;
      case 'raise':
        canExit = true;
        visit(statement.condition);
        break;
      case 'stop':
        interpretOnly = true;
        break;
    }
  }
  return {
    readsFlags,
    writesFlags,
    canExit,
    assignsInstructionPointer: statements.some((s) => s.kind === 'assign' && s.location.kind === 'ip'),
    interpretOnly,
  };
}

/** Flag writes of instruction `index` that a later instruction overwrites before anyone can see them. */
function deadFlagWrites(facts: readonly InstructionFacts[], index: number): Set<FlagBit> {
  const dead = new Set<FlagBit>();
  // A conditional branch leaves (by its side exit) after its own writes: they must all be done.
  if (leavesAfterWriting(facts[index])) return dead;
  for (const flag of facts[index].writesFlags) {
    for (let later = index + 1; later < facts.length; later++) {
      const next = facts[later];
      if (next.readsFlags.has(flag) || next.canExit) break;
      if (next.writesFlags.has(flag)) {
        dead.add(flag);
        break;
      }
    }
  }
  return dead;
}

/** The state words an instruction's assignments write (RIP aside: blocks write it themselves). */
function writtenWords(statements: readonly Statement[], environment: BlockEnvironment): Set<number> {
  const words = new Set<number>();
  for (const statement of statements) {
    if (statement.kind !== 'assign' || statement.location.kind === 'ip') continue;
    const slot = environment.layout.slotOf(statement.location);
    if (!slot) continue;
    const indexes = slot.width === 64 ? [0, 1, 2, 3] : [0, 2];
    for (const index of indexes) if (environment.keepUndefined || index < 2) words.add(slot.offset + index);
  }
  return words;
}

/** True for a branch inside a trace that may leave it: it does so after its own writes. */
function leavesAfterWriting(facts: InstructionFacts): boolean {
  return facts.assignsInstructionPointer && facts.canExit;
}

/** State words of instruction `index` that a later instruction of the block writes again. */
function rewrittenStateWords(written: readonly Set<number>[], index: number): Set<number> {
  const rewritten = new Set<number>();
  for (const word of written[index]) {
    for (let later = index + 1; later < written.length; later++) {
      if (written[later].has(word)) {
        rewritten.add(word);
        break;
      }
    }
  }
  return rewritten;
}

const hexWord = (n: number) => `0x${(n >>> 0).toString(16)}`;

/** Compiles the block starting at `start`; null when its first instruction must be interpreted. */
export function compileBlock(start: number, environment: BlockEnvironment): CompiledBlock | null {
  const ids: number[] = [];
  collectTrace(start, environment, MAX_BLOCK_INSTRUCTIONS, (instruction) => ids.push(instruction.id));
  if (ids.length === 0) return null;
  const key = `${environment.mode}${environment.keepUndefined ? 't' : 'z'}${ids.join(',')}`;
  let shared = sharedBlocks.get(key);
  if (shared === undefined) {
    shared = generateBlock(start, environment);
    generatedTraces++;
    if (sharedBlocks.size >= SHARED_BLOCKS_LIMIT)
      sharedBlocks.delete(sharedBlocks.keys().next().value as string);
    sharedBlocks.set(key, shared);
  }
  return shared && { ...shared, next: null, nextStart: -1, other: null, otherStart: -1 };
}

/** A generated block function with what every machine that runs it shares. */
type SharedBlock = Pick<CompiledBlock, 'start' | 'length' | 'run' | 'source'>;

/**
 * Generated blocks, shared by every machine of the process and keyed by their trace: the mode, the
 * policy and the ids of the instructions (an id stands for an instruction's bytes at its address).
 * A block function keeps no machine state (the state array and the memory port are its arguments;
 * its kernel frame is scratch during a call), so machines that run the same code — tests that create
 * a machine per case — reuse V8's optimised code instead of generating and compiling it again.
 * Bounded; the oldest traces go first (first in, first out: reordering on every hit would churn the
 * Map's table, which a leak check of code that creates machines reads as growth).
 */
const sharedBlocks = new Map<string, SharedBlock | null>();
const SHARED_BLOCKS_LIMIT = 2048;
let generatedTraces = 0;

/** Traces generated so far in this process (each one then shared); for tests and benchmarks. */
export function generatedTraceCount(): number {
  return generatedTraces;
}

/**
 * Walks the trace from `start` and calls `visit` for each instruction in it. The trace goes on through
 * direct jumps and calls, and through conditional branches along one arm (the other arm becomes a
 * side exit), until an indirect branch, an instruction only the interpreter runs, or an address
 * already in the trace. Returns, for each branch the trace follows, the address it continues at.
 */
function collectTrace(
  start: number,
  environment: BlockEnvironment,
  maxInstructions: number,
  visit: (instruction: BlockInstruction, facts: InstructionFacts) => void,
): Map<number, number> {
  const followed = new Map<number, number>();
  const visited = new Set<number>();
  let pendingBranch = -1;
  for (let address = start; visited.size < maxInstructions && !visited.has(address); ) {
    const instruction = environment.fetch(address);
    if (!instruction) break;
    let instructionFacts = factsOf(instruction.statements);
    if (instructionFacts.interpretOnly) break;
    if (pendingBranch >= 0) followed.set(pendingBranch, address);
    const index = visited.size;
    visited.add(address);
    const next = wrapAddress(address + instruction.length, environment.mode);
    if (!instructionFacts.assignsInstructionPointer) {
      visit(instruction, instructionFacts);
      pendingBranch = -1;
      address = next;
      continue;
    }
    const targets = constantTargets(instruction.statements);
    // Prefer the fall-through arm; never follow back to the start (that is the loop) or into the trace.
    const candidates = (targets ?? []).filter((target) => target !== start && !visited.has(target));
    const follow = candidates.includes(next) ? next : candidates[0];
    // A conditional branch the trace follows can leave it: for dead-flag elimination it is an exit.
    if (follow !== undefined && targets && targets.length > 1) {
      instructionFacts = { ...instructionFacts, canExit: true };
    }
    visit(instruction, instructionFacts);
    if (follow === undefined) break;
    pendingBranch = index;
    address = follow;
  }
  return followed;
}

function generateBlock(
  start: number,
  environment: BlockEnvironment,
  maxInstructions = MAX_BLOCK_INSTRUCTIONS,
  carried?: CarriedWords,
): SharedBlock | null {
  const { keepUndefined, layout, mode } = environment;
  const ipOffset = environment.instructionPointerOffset;
  restartTemplateTemporaries();
  // Collect the block's instructions first: dead-flag elimination looks ahead.
  const instructions: BlockInstruction[] = [];
  const facts: InstructionFacts[] = [];
  const followed = collectTrace(start, environment, maxInstructions, (instruction, instructionFacts) => {
    instructions.push(instruction);
    facts.push(instructionFacts);
  });
  if (instructions.length === 0) return null;
  const written = instructions.map((instruction) => writtenWords(instruction.statements, environment));
  const lines: string[] = [];
  let current = 0;
  const addressWords = (address: number) => [address % 2 ** 32, Math.floor(address / 2 ** 32)];
  const exitBefore = (index: number) => {
    const [low, high] = addressWords(instructions[index].address);
    return `{ S[${ipOffset}] = ${hexWord(low)}; S[${ipOffset + 1}] = ${hexWord(high)}; return -(done + ${index}) - 1; }`;
  };
  const expressions = new ExpressionCompiler(
    lines,
    layout,
    keepUndefined,
    () => exitBefore(current),
    mode === 64,
    carried,
  );
  let loops = false;
  let compiled = 0;
  let branchTarget: GeneratedValue | null = null;
  const definedCheck = (target: GeneratedValue) =>
    keepUndefined ? ` && (${target.undefinedLow} | ${target.undefinedHigh}) === 0` : '';
  const isAt = (target: GeneratedValue, address: number) => {
    const [low, high] = addressWords(address);
    return `${target.low} === ${hexWord(low)} && ${target.high} === ${hexWord(high)}${definedCheck(target)}`;
  };
  const writeInstructionPointer = (target: GeneratedValue) =>
    `S[${ipOffset}] = ${target.low}; S[${ipOffset + 1}] = ${target.high};${
      keepUndefined
        ? ` S[${ipOffset + 2}] = ${target.undefinedLow}; S[${ipOffset + 3}] = ${target.undefinedHigh};`
        : ''
    }`;
  // Instructions in the longest pass: a loop goes round again only while the budget covers one.
  const passLength = instructions.length;
  const loopBack = (target: GeneratedValue, executed: number) => {
    loops = true;
    const carry = carried ? expressions.continueCode() : expressions.flushCode();
    return `if (${isAt(target, start)} && done + ${executed} + ${passLength} <= budget) { ${carry} done += ${executed}; continue; }`;
  };
  // A branch can come back to the start when one of its constant targets is the start, or when its
  // target is computed (a `ret` returning into a recursive function's own block, `jmp rax`).
  const canJumpToStart = (instruction: BlockInstruction) =>
    instruction.statements.some(
      (st) =>
        st.kind === 'assign' &&
        st.location.kind === 'ip' &&
        (mentionsConstant(st.value, start) || constantTargets([st]) === null),
    );
  for (; compiled < instructions.length; compiled++) {
    current = compiled;
    try {
      lines.push(`// ${hexWord(instructions[compiled].address)}`);
      branchTarget = compileInstruction(
        instructions[compiled],
        deadFlagWrites(facts, compiled),
        rewrittenStateWords(written, compiled),
        expressions,
        lines,
        environment,
      );
    } catch (error) {
      if (!(error instanceof NotCompilable)) throw error;
      // Leave this instruction (and the rest) to the interpreter: compile the block again, ending
      // before it (dead-store elimination relied on the instructions after it).
      return compiled === 0 ? null : generateBlock(start, environment, compiled);
    }
    const continuation = followed.get(compiled);
    if (branchTarget && continuation !== undefined && compiled + 1 < instructions.length) {
      // A branch inside the trace: stay when it goes where the trace goes, else loop or leave.
      const target = branchTarget;
      const executed = compiled + 1;
      const [continuationLow, continuationHigh] = addressWords(continuation).map(hexWord);
      const staysConstant =
        isStaticallyDefined(target) && target.low === continuationLow && target.high === continuationHigh;
      if (!staysConstant) {
        lines.push(`if (!(${isAt(target, continuation)})) {`);
        if (canJumpToStart(instructions[compiled])) lines.push(loopBack(target, executed));
        lines.push(
          `${expressions.flushCode()} ${writeInstructionPointer(target)} return done + ${executed}; }`,
        );
      }
      // The interpreter's RIP write leaves a defined value: clear a stale undefined mask.
      if (keepUndefined) lines.push(`S[${ipOffset + 2}] = 0; S[${ipOffset + 3}] = 0;`);
      branchTarget = null;
    }
  }

  // The end: set RIP (the branch's target, or the next instruction) and loop back when it is the start.
  // (No store is pending here: nothing after the last instruction rewrites a word.)
  const last = instructions[compiled - 1];
  // The loop back at the end (before the check below: it is what makes most blocks loops).
  const endLoop = branchTarget && canJumpToStart(last) ? loopBack(branchTarget, compiled) : '';
  if (loops && !carried) {
    // A loop: compile again with the state words it uses carried in locals across iterations.
    const read = new Set([...expressions.wordsRead].filter((word) => !expressions.wordsWritten.has(word)));
    const deadAtStart = new Set(
      flagsDeadAtStart(facts.slice(0, compiled)).flatMap((flag) => {
        const word = layout.slotOf({ kind: 'flag', flag })?.offset;
        if (word === undefined) return [];
        return keepUndefined ? [word, word + 2] : [word];
      }),
    );
    return generateBlock(start, environment, compiled, {
      read,
      written: expressions.wordsWritten,
      deadAtStart,
    });
  }
  const body: string[] = [
    'let done = 0;',
    expressions.carriedDeclarations(),
    'for (;;) {',
    ...lines,
    endLoop,
  ];
  body.push(expressions.flushCode());
  if (branchTarget) {
    body.push(`done += ${compiled};`, writeInstructionPointer(branchTarget));
  } else {
    const next = followed.get(compiled - 1) ?? wrapAddress(last.address + last.length, mode);
    const [low, high] = addressWords(next);
    body.push(
      `done += ${compiled};`,
      `S[${ipOffset}] = ${hexWord(low)}; S[${ipOffset + 1}] = ${hexWord(high)};`,
    );
  }
  body.push('return done;', '}');
  const source = `return function block_${start.toString(16)}(S, M, budget) {\n${body.join('\n')}\n};`;
  const factory = new Function('F', 'K', 'R', 'E', source) as (
    frame: Uint32Array,
    kernels: unknown[],
    helpers: typeof runtime,
    parity: Uint8Array,
  ) => BlockFunction;
  const run = factory(
    new Uint32Array(expressions.frameWords),
    expressions.kernels,
    runtime,
    runtime.EVEN_PARITY,
  );
  return { start, length: compiled, run, source };
}

/**
 * Flags that every pass of a loop overwrites before anything reads them or the block can leave:
 * their values need not be carried round the loop's back edge (in `alu32`, the six flags of the
 * `sub ecx, 1` before `jnz` are dead at the top of the loop, which `imul` and `add` rewrite).
 */
function flagsDeadAtStart(facts: readonly InstructionFacts[]): FlagBit[] {
  const dead: FlagBit[] = [];
  const settled = new Set<FlagBit>();
  for (const fact of facts) {
    for (const flag of ALL_FLAGS) {
      if (settled.has(flag)) continue;
      // An exit before the instruction, or a read, needs the carried value; a write replaces it.
      if (fact.canExit || fact.readsFlags.has(flag)) settled.add(flag);
      else if (fact.writesFlags.has(flag)) {
        settled.add(flag);
        dead.push(flag);
      }
    }
  }
  return dead;
}

const ALL_FLAGS: readonly FlagBit[] = ['CF', 'PF', 'AF', 'ZF', 'SF', 'OF', 'DF'];

function wrapAddress(address: number, mode: 32 | 64): number {
  return mode === 32 ? address % 2 ** 32 : address;
}

function containsLoad(node: Expression): boolean {
  if (node.kind === 'load') return true;
  return node.kind === 'operation' && node.args.some(containsLoad);
}

/** The constant addresses an instruction's RIP assignment can take (null when any is computed). */
function constantTargets(statements: readonly Statement[]): number[] | null {
  const assignment = statements.find((st) => st.kind === 'assign' && st.location.kind === 'ip');
  if (assignment?.kind !== 'assign') return null;
  const value = assignment.value;
  const arms =
    value.kind === 'operation' && value.operation === 'select' ? [value.args[1], value.args[2]] : [value];
  const targets: number[] = [];
  for (const arm of arms) {
    const constant = arm.kind === 'operation' && arm.operation === 'zeroExtend' ? arm.args[0] : arm;
    if (constant.kind !== 'constant') return null;
    targets.push(Number(constant.value));
  }
  return targets;
}

function isStaticallyDefined(value: GeneratedValue): boolean {
  return value.undefinedLow === '0' && value.undefinedHigh === '0' && /^0x/.test(value.low);
}

function mentionsConstant(node: Expression, value: number): boolean {
  if (node.kind === 'constant') return node.value === BigInt(value);
  if (node.kind === 'operation') return node.args.some((arg) => mentionsConstant(arg, value));
  return false;
}

/**
 * Emits one instruction: expressions, then raise and store checks, then commits. Returns the
 * generated branch target when the instruction assigns the instruction pointer (it ends the block).
 */
function compileInstruction(
  instruction: BlockInstruction,
  deadFlags: ReadonlySet<FlagBit>,
  deferredWords: ReadonlySet<number>,
  expressions: ExpressionCompiler,
  lines: string[],
  environment: BlockEnvironment,
): GeneratedValue | null {
  expressions.startInstruction();
  const keepUndefined = environment.keepUndefined;
  const exit = expressions.exitHere();
  // 1. Every value the instruction needs (reads see the state before it).
  const stores: {
    statement: Statement & { kind: 'store' };
    value: GeneratedValue;
    guard: string | null;
    linear: string;
    where: { page: string; offset: string };
  }[] = [];
  const assignments: { location: Location; value: GeneratedValue; node: Expression }[] = [];
  const raises: GeneratedValue[] = [];
  const storeAddresses: GeneratedValue[] = [];
  for (const statement of instruction.statements) {
    switch (statement.kind) {
      case 'assign': {
        const branch = branchCondition(statement);
        if (branch) {
          assignments.push({
            location: statement.location,
            value: expressions.branchTarget(branch),
            node: statement.value,
          });
          break;
        }
        // A dead flag is not computed, unless its expression loads (the load may fault).
        if (
          statement.location.kind === 'flag' &&
          deadFlags.has(statement.location.flag) &&
          !containsLoad(statement.value)
        ) {
          expressions.forgetFlagSource(statement.location.flag);
          continue;
        }
        const value =
          statement.location.kind === 'flag'
            ? expressions.flagValue(statement.value)
            : expressions.value(statement.value);
        assignments.push({ location: statement.location, value, node: statement.value });
        break;
      }
      case 'store': {
        if (statement.segment !== null) throw new NotCompilable('segment-relative store');
        const value = expressions.value(statement.value);
        storeAddresses.push(expressions.value(statement.address));
        const guard = statement.condition ? expressions.value(statement.condition).low : null;
        stores.push({ statement, value, guard, linear: '', where: { page: '', offset: '' } });
        break;
      }
      case 'raise':
        raises.push(expressions.value(statement.condition));
        break;
      case 'stop':
        throw new NotCompilable('stop');
    }
  }
  // 2. Raises, and stores that cannot be done, leave the block before the instruction.
  for (const condition of raises) lines.push(`if ((${condition.low} & 1) !== 0) ${exit}`);
  stores.forEach((store, index) => {
    if (store.guard) lines.push(`if (${store.guard} !== 0) {`);
    store.linear = expressions.linearAddress(storeAddresses[index]);
    store.where = expressions.pageAndOffset(storeAddresses[index]);
    // The cached write page first (inline); the port checks the rest and caches the page.
    const bytes = store.statement.value.width / 8;
    const cached = `${store.where.page} === M.writePageNumber && ${store.where.offset} <= ${4096 - bytes}`;
    lines.push(`if (!(${cached}) && !M.canStore(${store.linear}, ${bytes})) ${exit}`);
    if (store.guard) lines.push('}');
  });
  // 3. Commit, in statement order (assignments and stores touch disjoint state).
  let branchTarget: GeneratedValue | null = null;
  for (const { location, value, node } of assignments) {
    if (location.kind === 'flag' && deadFlags.has(location.flag)) continue;
    if (location.kind === 'ip') branchTarget = value;
    else expressions.write(location, value, deferredWords, node);
  }
  for (const { statement, value, guard, linear, where } of stores) {
    const bytes = statement.value.width / 8;
    lines.push(guard ? `if (${guard} !== 0) {` : '{');
    lines.push(...storeCode(linear, where, bytes, value, keepUndefined));
    lines.push('}');
  }
  return branchTarget;
}

/**
 * A store already checked by `M.canStore` (which leaves the page cached): written inline into the
 * cached page's views, or by the port when a second store of the instruction moved the cache.
 */
function storeCode(
  linear: string,
  where: { page: string; offset: string },
  bytes: number,
  value: GeneratedValue,
  keepUndefined: boolean,
): string[] {
  const set = bytes === 1 ? 'setUint8' : bytes === 2 ? 'setUint16' : 'setUint32';
  const littleEndian = bytes > 1 ? ', true' : '';
  const words = bytes === 8 ? [value.low, value.high] : [value.low];
  const masks = bytes === 8 ? [value.undefinedLow, value.undefinedHigh] : [value.undefinedLow];
  const lines = [`const page = ${where.page}, offset = ${where.offset};`];
  lines.push(`if (page === M.writePageNumber) {`);
  words.forEach((word, index) => {
    const at = `offset${index ? ` + ${4 * index}` : ''}`;
    // Undefined bits are stored as 0 with a 1 in the shadow (canonical form). A zero-mode machine's
    // memory holds no undefined byte (its shadow stays 0: `Memory.keepsUndefined`), so no shadow store.
    const mask = keepUndefined ? masks[index] : '0';
    lines.push(`M.writeData.${set}(${at}, ${mask === '0' ? word : `${word} & ~${mask}`}${littleEndian});`);
    if (keepUndefined) lines.push(`M.writeUndefined.${set}(${at}, ${mask}${littleEndian});`);
  });
  lines.push(
    `} else M.store(${linear}, ${bytes}, ${value.low}, ${value.high}, ${value.undefinedLow}, ${value.undefinedHigh});`,
  );
  return lines;
}
