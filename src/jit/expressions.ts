/**
 * Generates JavaScript for IR expressions. A value in generated code is four JS expressions — low
 * and high 32-bit words and their undefined masks — each either a local name or a literal. Masks
 * are the literal `0` wherever they are statically zero (every value in `zero` mode, except those
 * computed from an `UNKNOWN()`), so `zero` mode compiles to plain integer arithmetic and pays
 * nothing for tracking. Where a mask may be nonzero (track mode), the code tests it at run time:
 * all inputs defined → the same plain arithmetic (defined inputs give a defined result for every
 * operation); otherwise → the value domain's kernel, on a frame, exactly as the interpreter does.
 * Operations without an inline template always use the kernel. One source of truth per rule: the
 * kernels; the templates are their defined-input special case, checked by differential tests.
 */
import { type BoundKernel, bindKernel } from '../ir/builder.js';
import type { Expression, FlagBit, Location } from '../ir/expression.js';
import { SLOT_WORDS } from '../value/layout.js';
import { concreteTemplate, hex, highMask, lowMask, type Template, ZERO } from './templates.js';

/** A value in generated code: JS expressions for its words and undefined masks. */
export interface GeneratedValue {
  readonly low: string;
  readonly high: string;
  readonly undefinedLow: string;
  readonly undefinedHigh: string;
}

/** Thrown for IR the compiler does not handle: the instruction is left to the interpreter. */
export class NotCompilable extends Error {}

/** Where a location lives in the machine's state array (word offset of its slot, and its bit slice). */
export interface StateLayout {
  slotOf(location: Location): { offset: number; lowBit: number; width: number } | null;
}

const isZero = (code: string) => code === ZERO;

/** The state words a looping block keeps in locals `L<index>` across iterations. */
export interface CarriedWords {
  /** Words the block reads but never writes. */
  readonly read: ReadonlySet<number>;
  readonly written: ReadonlySet<number>;
  /** Written words every pass overwrites before reading them or leaving: not carried round the loop. */
  readonly deadAtStart?: ReadonlySet<number>;
}

/** The operands of the subtraction that set a flag (see `ExpressionCompiler.flagSources`). */
interface SubtractionSource {
  readonly a: GeneratedValue;
  readonly b: GeneratedValue;
  readonly width: number;
  /** Which instruction of the block computed them: a condition fuses only flags of one subtraction. */
  readonly instruction: number;
}
const isZeroConstant = (code: string) => code === ZERO || code === '0x0';

/** Emits code for the expressions of one block into `lines`; shared state across instructions. */
export class ExpressionCompiler {
  /** Bound kernels the generated code calls as `K[i](F)`. */
  readonly kernels: BoundKernel[] = [];
  /** Words of the kernel frame `F` used so far (slot 0 is the kernels' scratch slot). */
  frameWords = SLOT_WORDS;
  private nextName = 0;
  private values = new Map<Expression, GeneratedValue>();
  /** State words written or read so far in the block, by index (see {@link stateWord}). */
  private readonly stateWords = new Map<number, string>();
  /** Deferred stores: state word index → the local holding its value (see {@link write}). */
  private readonly pendingWords = new Map<number, string>();
  /** State words the block read or wrote (to choose the loop-carried words of a second pass). */
  readonly wordsRead = new Set<number>();
  readonly wordsWritten = new Set<number>();
  /**
   * Zero mode: the flags whose current value is a flag of `a - b` (CMP/SUB without borrow), with the
   * operands' generated values and the instruction that computed them — so a later condition on
   * those flags becomes one comparison of `a` and `b` ({@link fusedCondition}).
   */
  private readonly flagSources = new Map<FlagBit, SubtractionSource>();
  private instructionCount = 0;
  /** Per instruction: each division's result expressions (quotient low/high, remainder low/high, fails). */
  private readonly divisionsDone = new Map<string, string[]>();

  constructor(
    private readonly lines: string[],
    private readonly layout: StateLayout,
    /** True in track mode: state and memory masks are live. */
    private readonly keepUndefined: boolean,
    /** Code that leaves the block before the current instruction (`return …;`). */
    private readonly exitCode: () => string,
    /** True in 64-bit mode (addresses are 64-bit and must be canonical). */
    private readonly longMode: boolean,
    /**
     * Loop-carried state words: in a block that loops, these live in locals `L<index>` across
     * iterations (declared by {@link carriedDeclarations}); the written ones reach `S` only when
     * the block leaves ({@link flushCode}).
     */
    private readonly carried: CarriedWords = { read: new Set(), written: new Set() },
  ) {}

  /** `let L8 = S[8], …;` for the loop-carried words (before the loop). */
  carriedDeclarations(): string {
    const words = [...new Set([...this.carried.read, ...this.carried.written])];
    return words.length === 0 ? '' : `let ${words.map((index) => `L${index} = S[${index}]`).join(', ')};`;
  }

  /** Before `continue`: the loop-carried locals take this iteration's values (through temporaries). */
  continueCode(): string {
    const changed = [...this.carried.written].filter(
      (index) => this.current(index) !== `L${index}` && !this.carried.deadAtStart?.has(index),
    );
    const temporaries = changed.map((index) => `const c${index} = ${this.current(index)};`);
    return [...temporaries, ...changed.map((index) => `L${index} = c${index};`)].join(' ');
  }

  private current(index: number): string {
    return this.stateWords.get(index) ?? `L${index}`;
  }

  /** Code that leaves the block before the instruction being compiled. */
  exitHere(): string {
    return `{ ${this.flushCode()} ${this.exitCode()} }`;
  }

  /**
   * Stores of the state words whose writes were deferred (see {@link write}): every way out of the
   * block — an early exit, a side exit, the loop back, the end — runs this first.
   */
  flushCode(): string {
    const pending = [...this.pendingWords].map(([index, code]) => `S[${index}] = ${code};`);
    const carried = [...this.carried.written].map((index) => `S[${index}] = ${this.current(index)};`);
    return [...pending, ...carried].join(' ');
  }

  /** Starts a new instruction: its expressions are separate objects from the previous one's. */
  startInstruction(): void {
    this.values = new Map();
    this.instructionCount++;
    this.divisionsDone.clear();
  }

  private name(prefix: string): string {
    return `${prefix}${this.nextName++}`;
  }

  /** Binds `code` to a fresh `const` unless it is already a name or a literal. */
  private bind(code: string, prefix = 't'): string {
    if (/^[\w$]+$/.test(code)) return code;
    const name = this.name(prefix);
    this.lines.push(`const ${name} = ${code};`);
    return name;
  }

  /**
   * A flag's new value. In zero mode its expression is not bound to a local: the flag is computed
   * where something uses it — a later read, a loop's back edge, the stores at the block's exits — so
   * a flag that is overwritten before anything reads it costs nothing on the main path, only at the
   * exits that store it (lazy flags). The expression refers only to constants and locals that
   * outlive it (operands are bound when generated).
   */
  flagValue(node: Expression): GeneratedValue {
    if (
      this.keepUndefined ||
      node.kind !== 'operation' ||
      node.operation === 'select' ||
      node.width !== 1 ||
      this.values.has(node)
    ) {
      return this.value(node);
    }
    const template = concreteTemplate(
      node,
      node.args.map((arg) => this.value(arg)),
    );
    if (!template) return this.value(node);
    for (const line of template.setup) this.lines.push(line);
    return { low: `(${template.low})`, high: ZERO, undefinedLow: ZERO, undefinedHigh: ZERO };
  }

  /** The generated value of `node` (its code emitted once, at first use). */
  value(node: Expression): GeneratedValue {
    const existing = this.values.get(node);
    if (existing) return existing;
    const generated = this.generate(node);
    this.values.set(node, generated);
    return generated;
  }

  private generate(node: Expression): GeneratedValue {
    if (node.width > 64) throw new NotCompilable(`${node.width}-bit value`);
    switch (node.kind) {
      case 'constant':
        return {
          low: hex(Number(node.value & 0xffffffffn)),
          high: hex(Number(node.value >> 32n)),
          undefinedLow: ZERO,
          undefinedHigh: ZERO,
        };
      case 'unknown':
        return {
          low: ZERO,
          high: ZERO,
          undefinedLow: hex(lowMask(node.width)),
          undefinedHigh: hex(highMask(node.width)),
        };
      case 'read':
        return this.read(node.location);
      case 'load':
        return this.load(node);
      case 'operation':
        return this.operation(node);
    }
  }

  private read(location: Location): GeneratedValue {
    const slot = this.layout.slotOf(location);
    if (!slot) throw new NotCompilable(`reads ${location.kind}`);
    const { offset, lowBit, width } = slot;
    const word = (index: number) => this.stateWord(offset + index);
    const slice = (index: number) =>
      width >= 32 && lowBit === 0
        ? word(index)
        : lowBit === 0
          ? `(${word(index)} & ${hex(lowMask(width))})`
          : `((${word(index)} >>> ${lowBit}) & ${hex(lowMask(width))})`;
    // Reads happen before the instruction's writes: bind them now.
    return {
      low: this.bind(slice(0), 'r'),
      high: width > 32 ? word(1) : ZERO,
      undefinedLow: this.keepUndefined ? this.bind(slice(2), 'u') : ZERO,
      undefinedHigh: this.keepUndefined && width > 32 ? word(3) : ZERO,
    };
  }

  /**
   * The current value of state word `index`: what an earlier instruction of the block wrote (kept
   * in a local, so the block does not read back its own stores), else `S[index]`, read once.
   */
  private stateWord(index: number): string {
    this.wordsRead.add(index);
    let code = this.stateWords.get(index);
    if (code === undefined) {
      code =
        this.carried.read.has(index) || this.carried.written.has(index)
          ? `L${index}`
          : this.bind(`S[${index}]`, 'w');
      this.stateWords.set(index, code);
    }
    return code;
  }

  /**
   * Writes `value` to `location` as the interpreter's `writeLocation` does. Words in
   * `deferredWords` (a later instruction of the block overwrites them) are not stored now: their
   * stores wait in {@link pendingWords} and happen only if the block leaves before the overwrite
   * (lazy flags, in effect, for every state word).
   */
  write(
    location: Location,
    value: GeneratedValue,
    deferredWords: ReadonlySet<number>,
    /** The IR of the value, for flags (see {@link flagSources}). */
    node?: Expression,
  ): void {
    const slot = this.layout.slotOf(location);
    if (!slot) throw new NotCompilable(`writes ${location.kind}`);
    const { offset, lowBit, width } = slot;
    const lazyFlag = location.kind === 'flag' && !this.keepUndefined;
    if (location.kind === 'flag') {
      const source = lazyFlag && node ? this.subtractionSource(location.flag, node) : null;
      if (source) this.flagSources.set(location.flag, source);
      else this.flagSources.delete(location.flag);
    }
    const store = (index: number, code: string) => {
      const bound = lazyFlag ? code : this.bind(code, 'w');
      this.wordsWritten.add(index);
      this.stateWords.set(index, bound);
      if (this.carried.written.has(index)) return; // stored when the block leaves
      if (deferredWords.has(index)) this.pendingWords.set(index, bound);
      else {
        this.pendingWords.delete(index);
        this.lines.push(`S[${index}] = ${bound};`);
      }
    };
    if (width === 64) {
      store(offset, value.low);
      store(offset + 1, value.high);
      if (this.keepUndefined) {
        store(offset + 2, value.undefinedLow);
        store(offset + 3, value.undefinedHigh);
      }
      return;
    }
    const merge = (index: number, code: string) => {
      if (width === 32 || location.kind === 'flag') return store(index, code);
      const mask = (lowMask(width) << lowBit) >>> 0;
      const shifted = lowBit === 0 ? code : `(${code} << ${lowBit})`;
      store(index, `((${this.stateWord(index)} & ${hex(~mask)}) | ${shifted}) >>> 0`);
    };
    merge(offset, value.low);
    if (this.keepUndefined) merge(offset + 2, value.undefinedLow);
  }

  /** The linear address of `address` as one JS number, exiting the block when the fast path cannot take it. */
  /** The page number and in-page offset of an address, from its words (no division). */
  pageAndOffset(address: GeneratedValue): { page: string; offset: string } {
    const high = this.longMode && !isZero(address.high) ? address.high : null;
    return {
      page: high ? `(${high} * 1048576 + (${address.low} >>> 12))` : `(${address.low} >>> 12)`,
      offset: `(${address.low} & 4095)`,
    };
  }

  linearAddress(address: GeneratedValue): string {
    if (!this.longMode || isZero(address.high)) return address.low;
    // Non-canonical or kernel-half addresses: leave them to the interpreter (#GP / #PF).
    this.lines.push(`if (${address.high} >= 0x8000) ${this.exitHere()}`);
    // Not bound to a name: it may be computed under a guard and used again outside it (stores).
    return `(${address.high} * 4294967296 + ${address.low})`;
  }

  private load(node: Expression & { kind: 'load' }): GeneratedValue {
    if (node.segment !== null) throw new NotCompilable('segment-relative load');
    const address = this.value(node.address);
    const bytes = node.width / 8;
    const [low, high, undefinedLow, undefinedHigh] = ['v', 'h', 'm', 'n'].map((p) => this.name(p));
    const result: GeneratedValue = {
      low,
      high: bytes === 8 ? high : ZERO,
      undefinedLow: this.keepUndefined ? undefinedLow : ZERO,
      undefinedHigh: this.keepUndefined && bytes === 8 ? undefinedHigh : ZERO,
    };
    const declared = [result.low, result.high, result.undefinedLow, result.undefinedHigh].filter(
      (code) => !isZero(code),
    );
    this.lines.push(`let ${declared.map((name) => `${name} = 0`).join(', ')};`);
    const guard = node.condition ? this.value(node.condition).low : null;
    if (guard) this.lines.push(`if (${guard} !== 0) {`);
    const linear = this.linearAddress(address);
    // The common case inline: the page read last, the access inside it. Else the port's slow path.
    const page = this.name('p');
    const offset = this.name('o');
    const where = this.pageAndOffset(address);
    this.lines.push(`const ${page} = ${where.page}, ${offset} = ${where.offset};`);
    this.lines.push(`if (${page} === M.readPageNumber && ${offset} <= ${4096 - bytes}) {`);
    const get = bytes === 1 ? 'getUint8' : bytes === 2 ? 'getUint16' : 'getUint32';
    const at = (view: string, delta: number) =>
      `M.${view}.${get}(${offset}${delta ? ` + ${delta}` : ''}${bytes > 1 ? ', true' : ''})`;
    this.lines.push(`${low} = ${at('readData', 0)};`);
    if (bytes === 8) this.lines.push(`${high} = ${at('readData', 4)};`);
    if (this.keepUndefined) {
      this.lines.push(`${undefinedLow} = ${at('readUndefined', 0)};`);
      if (bytes === 8) this.lines.push(`${undefinedHigh} = ${at('readUndefined', 4)};`);
    }
    this.lines.push(`} else {`);
    this.lines.push(`if (!M.load(${linear}, ${bytes})) ${this.exitHere()}`);
    this.lines.push(`${low} = M.low;`);
    if (bytes === 8) this.lines.push(`${high} = M.high;`);
    if (this.keepUndefined) {
      this.lines.push(`${undefinedLow} = M.undefinedLow;`);
      if (bytes === 8) this.lines.push(`${undefinedHigh} = M.undefinedHigh;`);
    }
    this.lines.push('}');
    if (guard) this.lines.push('}');
    return result;
  }

  private operation(node: Expression & { kind: 'operation' }): GeneratedValue {
    const fused = this.keepUndefined ? null : this.fusedCondition(node);
    if (fused) return { low: this.bind(fused), high: ZERO, undefinedLow: ZERO, undefinedHigh: ZERO };
    const args = node.args.map((arg) => this.value(arg));
    const masks = args.flatMap((arg) => [arg.undefinedLow, arg.undefinedHigh]).filter((m) => !isZero(m));
    if (node.operation === 'select') return this.select(node, args);
    const template = this.divisionTemplate(node, args) ?? concreteTemplate(node, args);
    if (masks.length === 0) {
      // Defined inputs give a defined result: plain arithmetic (or the kernel, without its mask).
      if (template) return this.emitConcrete(template, node.width);
      const viaKernel = this.callKernel(node, args);
      return { low: viaKernel.low, high: viaKernel.high, undefinedLow: ZERO, undefinedHigh: ZERO };
    }
    // Masks known only at run time: plain arithmetic when they are all zero, else the kernel.
    const [low, high, undefinedLow, undefinedHigh] = ['v', 'h', 'm', 'n'].map((p) => this.name(p));
    this.lines.push(`let ${low}, ${high}, ${undefinedLow}, ${undefinedHigh};`);
    if (template) {
      this.lines.push(`if ((${masks.join(' | ')}) === 0) {`);
      const concrete = this.emitConcrete(template, node.width);
      this.lines.push(
        `${low} = ${concrete.low}; ${high} = ${concrete.high}; ${undefinedLow} = ${undefinedHigh} = 0;`,
      );
      this.lines.push('} else {');
    }
    const viaKernel = this.callKernel(node, args);
    this.lines.push(
      `${low} = ${viaKernel.low}; ${high} = ${viaKernel.high}; ${undefinedLow} = ${viaKernel.undefinedLow}; ${undefinedHigh} = ${viaKernel.undefinedHigh};`,
    );
    if (template) this.lines.push('}');
    return { low, high, undefinedLow, undefinedHigh };
  }

  /** A write of `flag` that is not compiled (a dead flag): its old source no longer describes it. */
  forgetFlagSource(flag: FlagBit): void {
    this.flagSources.delete(flag);
  }

  /** When `node` (the new value of `flag`) is that flag of `a - b` without borrow: the operands. */
  private subtractionSource(flag: FlagBit, node: Expression): SubtractionSource | null {
    if (node.kind !== 'operation') return null;
    let subtraction: Expression = node;
    if ((flag === 'ZF' && node.operation === 'isZero') || (flag === 'SF' && node.operation === 'extract')) {
      subtraction = node.args[0];
      if (flag === 'SF' && node.parameters[0] !== subtraction.width - 1) return null;
      if (subtraction.kind !== 'operation' || subtraction.operation !== 'subtract') return null;
    } else if (
      !(flag === 'CF' && node.operation === 'subtractBorrow') &&
      !(flag === 'OF' && node.operation === 'subtractOverflow')
    ) {
      return null;
    }
    if (subtraction.kind !== 'operation' || subtraction.args.length !== 2) return null; // a borrow in
    const [a, b] = subtraction.args;
    return { a: this.value(a), b: this.value(b), width: a.width, instruction: this.instructionCount };
  }

  /**
   * Zero mode: a condition over flags that one earlier `a - b` set — `be`/`a` (CF or ZF), `l`/`ge`
   * (SF xor OF), `le`/`g` (ZF or SF xor OF) — as one comparison of `a` and `b` instead of computing
   * the flags and combining them (SDM Vol. 1 Appendix B defines these conditions as those
   * comparisons). Null when `node` is not such a condition.
   */
  private fusedCondition(node: Expression & { kind: 'operation' }): string | null {
    let negate = false;
    let condition: Expression = node;
    if (node.operation === 'not') {
      negate = true;
      condition = node.args[0];
    }
    if (condition.kind !== 'operation' || condition.width !== 1 || condition.args.length !== 2) return null;
    const flagOf = (e: Expression) =>
      e.kind === 'read' && e.location.kind === 'flag' ? e.location.flag : null;
    const flagsOf = (e: Expression) => {
      if (e.kind !== 'operation' || e.args.length !== 2) return null;
      const flags = e.args.map(flagOf);
      return flags[0] && flags[1] ? new Set(flags) : null;
    };
    const [first, second] = condition.args;
    let kind: 'be' | 'l' | 'le' | null = null;
    const pair = flagsOf(condition);
    if (condition.operation === 'or' && pair?.has('CF') && pair.has('ZF')) kind = 'be';
    else if (condition.operation === 'xor' && pair?.has('SF') && pair.has('OF')) kind = 'l';
    else if (condition.operation === 'or') {
      const [zf, rest] = flagOf(first) === 'ZF' ? [first, second] : [second, first];
      const inner = flagsOf(rest);
      if (
        flagOf(zf) === 'ZF' &&
        rest.kind === 'operation' &&
        rest.operation === 'xor' &&
        inner?.has('SF') &&
        inner.has('OF')
      )
        kind = 'le';
    }
    if (kind === null) return null;
    const flags: readonly FlagBit[] =
      kind === 'be' ? ['CF', 'ZF'] : kind === 'l' ? ['SF', 'OF'] : ['ZF', 'SF', 'OF'];
    const source = this.flagSources.get(flags[0]);
    if (!source || flags.some((flag) => this.flagSources.get(flag)?.instruction !== source.instruction))
      return null;
    const { a, b, width } = source;
    const operator = kind === 'l' ? '<' : '<=';
    let comparison: string;
    if (width === 64) {
      const high = (word: string) => (kind === 'be' ? word : `(${word} | 0)`);
      comparison = `${high(a.high)} < ${high(b.high)} || (${a.high} === ${b.high} && ${a.low} ${operator} ${b.low})`;
    } else if (kind === 'be') {
      comparison = `${a.low} ${operator} ${b.low}`;
    } else {
      const signed = (word: string) =>
        width === 32 ? `(${word} | 0)` : `((${word} << ${32 - width}) >> ${32 - width})`;
      comparison = `${signed(a.low)} ${operator} ${signed(b.low)}`;
    }
    return `(${comparison}) ? ${negate ? '0 : 1' : '1 : 0'}`;
  }

  /**
   * DIV/IDIV's quotient, remainder and fault test share one `R.divide…` call per instruction (its
   * results stay in `R.division` until the next division, and an instruction has one).
   */
  private divisionTemplate(
    node: Expression & { kind: 'operation' },
    args: GeneratedValue[],
  ): Template | null {
    const match = /^(quotient|remainder|divisionFails)(Unsigned|Signed)$/.exec(node.operation);
    if (!match) return null;
    const [high, low, divisor] = args;
    const signed = match[2] === 'Signed';
    const key = `${signed}:${node.args.map((arg) => arg.id).join(',')}`;
    let results = this.divisionsDone.get(key);
    const setup: string[] = [];
    if (results === undefined) {
      const width = node.args[2].width;
      const call =
        width <= 32
          ? `R.${signed ? 'divideSignedNarrow' : 'divideUnsignedNarrow'}(${high.low}, ${low.low}, ${divisor.low}, ${width});`
          : `R.divideWide(${signed}, ${high.low}, ${high.high}, ${low.low}, ${low.high}, ${divisor.low}, ${divisor.high});`;
      const highIsZero = isZeroConstant(high.low) && (width <= 32 || isZeroConstant(high.high));
      if (signed || !highIsZero) {
        setup.push(call);
        results = ['R.division[0]', 'R.division[1]', 'R.division[2]', 'R.division[3]', 'R.division[4]'];
      } else {
        results = this.inlineUnsignedDivision(setup, call, low, divisor, width);
      }
      this.divisionsDone.set(key, results);
    }
    const [quotientLow, quotientHigh, remainderLow, remainderHigh, fails] = results;
    return match[1] === 'divisionFails'
      ? { setup, low: fails, high: ZERO }
      : match[1] === 'quotient'
        ? { setup, low: quotientLow, high: quotientHigh }
        : { setup, low: remainderLow, high: remainderHigh };
  }

  /**
   * `xor edx, edx; div r` — the high half of the dividend is the constant 0 — inline: a quotient
   * that fits can never overflow, and doubles divide exactly (32-bit operands: the floor of the
   * rounded quotient is exact; 64-bit operands below 2^52: one correction step, as in
   * `R.divideWide`, whose tests against BigInt cover the same arithmetic). Other values call
   * `R.divideWide`. The results are `var`s: the quotient, remainder and fault test of one
   * instruction may be used in different nested blocks of the generated code. Every `var` gets an
   * initial number: one left `undefined` merges into the loop's phi and V8 boxes it (half speed).
   */
  private inlineUnsignedDivision(
    setup: string[],
    call: string,
    low: GeneratedValue,
    divisor: GeneratedValue,
    width: number,
  ): string[] {
    // Prefixed `d`: the templates' temporaries are `q0`, `q1`, … (templates.ts).
    const [n, d, q, r, ql, qh, rl, rh, fails] = [
      'dn',
      'dd',
      'dq',
      'dr',
      'dql',
      'dqh',
      'drl',
      'drh',
      'df',
    ].map((prefix) => this.name(prefix));
    if (width <= 32) {
      setup.push(
        `var ${n} = ${low.low}, ${d} = ${divisor.low}, ${q} = 0, ${r} = 0, ${fails} = ${d} === 0 ? 1 : 0;`,
        `if (${fails} === 0) { ${q} = Math.floor(${n} / ${d}); ${r} = ${n} - ${q} * ${d}; }`,
      );
      return [q, ZERO, r, ZERO, fails];
    }
    setup.push(
      `var ${n} = ${low.high} * 4294967296 + ${low.low}, ${d} = ${divisor.high} * 4294967296 + ${divisor.low}, ${q} = 0, ${r} = 0, ${ql} = 0, ${qh} = 0, ${rl} = 0, ${rh} = 0, ${fails} = 0;`,
      `if (${low.high} < 0x100000 && ${divisor.high} < 0x100000 && ${d} !== 0) {`,
      `${q} = Math.floor(${n} / ${d}); ${r} = ${n} - ${q} * ${d};`,
      `if (${r} < 0) { ${q} -= 1; ${r} += ${d}; } else if (${r} >= ${d}) { ${q} += 1; ${r} -= ${d}; }`,
      `${ql} = ${q} >>> 0; ${qh} = (${q} / 4294967296) >>> 0; ${rl} = ${r} >>> 0; ${rh} = (${r} / 4294967296) >>> 0;`,
      `} else { ${call} ${ql} = R.division[0]; ${qh} = R.division[1]; ${rl} = R.division[2]; ${rh} = R.division[3]; ${fails} = R.division[4]; }`,
    );
    return [ql, qh, rl, rh, fails];
  }

  private emitConcrete(template: Template, width: number): GeneratedValue {
    for (const line of template.setup) this.lines.push(line);
    return {
      low: this.bind(template.low),
      high: width > 32 ? this.bind(template.high) : ZERO,
      undefinedLow: ZERO,
      undefinedHigh: ZERO,
    };
  }

  /** A conditional branch's target: the arm the condition's value bit picks (see `branchCondition`). */
  branchTarget(node: Expression & { kind: 'operation' }): GeneratedValue {
    const [condition, whenTrue, whenFalse] = node.args.map((arg) => this.value(arg));
    const pick = (a: string, b: string) => (a === b ? a : this.bind(`${condition.low} !== 0 ? ${a} : ${b}`));
    return {
      low: pick(whenTrue.low, whenFalse.low),
      high: pick(whenTrue.high, whenFalse.high),
      undefinedLow: pick(whenTrue.undefinedLow, whenFalse.undefinedLow),
      undefinedHigh: pick(whenTrue.undefinedHigh, whenFalse.undefinedHigh),
    };
  }

  /** `condition ? a : b`; with an undefined condition the kernel merges the arms bit by bit. */
  private select(node: Expression & { kind: 'operation' }, args: GeneratedValue[]): GeneratedValue {
    const [condition, whenTrue, whenFalse] = args;
    const pick = (a: string, b: string) => (a === b ? a : this.bind(`${condition.low} !== 0 ? ${a} : ${b}`));
    if (isZero(condition.undefinedLow)) {
      return {
        low: pick(whenTrue.low, whenFalse.low),
        high: node.width > 32 ? pick(whenTrue.high, whenFalse.high) : ZERO,
        undefinedLow: pick(whenTrue.undefinedLow, whenFalse.undefinedLow),
        undefinedHigh: pick(whenTrue.undefinedHigh, whenFalse.undefinedHigh),
      };
    }
    const [low, high, undefinedLow, undefinedHigh] = ['v', 'h', 'm', 'n'].map((p) => this.name(p));
    this.lines.push(`let ${low}, ${high}, ${undefinedLow}, ${undefinedHigh};`);
    this.lines.push(`if (${condition.undefinedLow} === 0) { if (${condition.low} !== 0) {`);
    this.lines.push(
      `${low} = ${whenTrue.low}; ${high} = ${whenTrue.high}; ${undefinedLow} = ${whenTrue.undefinedLow}; ${undefinedHigh} = ${whenTrue.undefinedHigh};`,
    );
    this.lines.push('} else {');
    this.lines.push(
      `${low} = ${whenFalse.low}; ${high} = ${whenFalse.high}; ${undefinedLow} = ${whenFalse.undefinedLow}; ${undefinedHigh} = ${whenFalse.undefinedHigh};`,
    );
    this.lines.push('} } else {');
    const viaKernel = this.callKernel(node, args);
    this.lines.push(
      `${low} = ${viaKernel.low}; ${high} = ${viaKernel.high}; ${undefinedLow} = ${viaKernel.undefinedLow}; ${undefinedHigh} = ${viaKernel.undefinedHigh};`,
    );
    this.lines.push('}');
    return { low, high, undefinedLow, undefinedHigh };
  }

  /** Copies the arguments into frame slots, calls the bound kernel, and names its result words. */
  private callKernel(node: Expression & { kind: 'operation' }, args: GeneratedValue[]): GeneratedValue {
    const slots = args.map((arg) => {
      const slot = this.frameWords;
      this.frameWords += SLOT_WORDS;
      this.lines.push(
        `F[${slot}] = ${arg.low}; F[${slot + 1}] = ${arg.high}; F[${slot + 2}] = ${arg.undefinedLow}; F[${slot + 3}] = ${arg.undefinedHigh};`,
      );
      return slot;
    });
    const result = this.frameWords;
    this.frameWords += SLOT_WORDS;
    const index = this.kernels.length;
    this.kernels.push(bindKernel(node.operation, result, slots, node.args, node.parameters, node.width));
    // The comment makes the source name the kernel (shared block functions are keyed by source).
    const operandWidth = node.args[0]?.width ?? node.width;
    this.lines.push(
      `K[${index}](F); // ${node.operation} ${node.width} ${operandWidth} ${node.parameters.join(' ')}`,
    );
    return {
      low: this.bind(`F[${result}]`, 'k'),
      high: this.bind(`F[${result + 1}]`, 'k'),
      undefinedLow: this.bind(`F[${result + 2}]`, 'k'),
      undefinedHigh: this.bind(`F[${result + 3}]`, 'k'),
    };
  }
}
