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
import type { Expression, Location } from '../ir/expression.js';
import { HIGH_WORD_MASK, LOW_WORD_MASK, SLOT_WORDS } from '../value/layout.js';

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

const ZERO = '0';
const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;
const lowMask = (width: number) => LOW_WORD_MASK[width];
const highMask = (width: number) => HIGH_WORD_MASK[width];
const isZero = (code: string) => code === ZERO;

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
  private readonly divisionsDone = new Set<string>();

  constructor(
    private readonly lines: string[],
    private readonly layout: StateLayout,
    /** True in track mode: state and memory masks are live. */
    private readonly keepUndefined: boolean,
    /** Code that leaves the block before the current instruction (`return …;`). */
    private readonly exitCode: () => string,
    /** True in 64-bit mode (addresses are 64-bit and must be canonical). */
    private readonly longMode: boolean,
  ) {}

  /** Code that leaves the block before the instruction being compiled. */
  exitHere(): string {
    return `{ ${this.flushCode()} ${this.exitCode()} }`;
  }

  /**
   * Stores of the state words whose writes were deferred (see {@link write}): every way out of the
   * block — an early exit, a side exit, the loop back, the end — runs this first.
   */
  flushCode(): string {
    return [...this.pendingWords].map(([index, code]) => `S[${index}] = ${code};`).join(' ');
  }

  /** Starts a new instruction: its expressions are separate objects from the previous one's. */
  startInstruction(): void {
    this.values = new Map();
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
    let code = this.stateWords.get(index);
    if (code === undefined) {
      code = this.bind(`S[${index}]`, 'w');
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
  write(location: Location, value: GeneratedValue, deferredWords: ReadonlySet<number>): void {
    const slot = this.layout.slotOf(location);
    if (!slot) throw new NotCompilable(`writes ${location.kind}`);
    const { offset, lowBit, width } = slot;
    const store = (index: number, code: string) => {
      const bound = this.bind(code, 'w');
      this.stateWords.set(index, bound);
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
    const setup = this.divisionsDone.has(key)
      ? []
      : [
          node.args[2].width <= 32
            ? `R.${signed ? 'divideSignedNarrow' : 'divideUnsignedNarrow'}(${high.low}, ${low.low}, ${divisor.low}, ${node.args[2].width});`
            : `R.divideWide(${signed}, ${high.low}, ${high.high}, ${low.low}, ${low.high}, ${divisor.low}, ${divisor.high});`,
        ];
    this.divisionsDone.add(key);
    const part = match[1] === 'divisionFails' ? 'fails' : match[1];
    return part === 'fails'
      ? { setup, low: 'R.division[4]', high: ZERO }
      : part === 'quotient'
        ? { setup, low: 'R.division[0]', high: 'R.division[1]' }
        : { setup, low: 'R.division[2]', high: 'R.division[3]' };
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
    this.lines.push(`K[${index}](F);`);
    return {
      low: this.bind(`F[${result}]`, 'k'),
      high: this.bind(`F[${result + 1}]`, 'k'),
      undefinedLow: this.bind(`F[${result + 2}]`, 'k'),
      undefinedHigh: this.bind(`F[${result + 3}]`, 'k'),
    };
  }
}

/** Plain-arithmetic code for an operation on defined values: setup lines, then the two words. */
interface Template {
  readonly setup: string[];
  readonly low: string;
  readonly high: string;
}

let templateTemporaries = 0;
const temporary = () => `q${templateTemporaries++}`;

/** The inline template of an operation, or null when only the kernel handles it. */
function concreteTemplate(node: Expression & { kind: 'operation' }, args: GeneratedValue[]): Template | null {
  const width = node.width;
  const operandWidth = node.args[0]?.width ?? width;
  const [a, b, c] = args;
  const word = (code: string) => ({ setup: [], low: code, high: ZERO });
  const truncate = (code: string, w: number) =>
    w >= 32 ? `(${code}) >>> 0` : `(${code}) & ${hex(lowMask(w))}`;
  const carry = c ? ` + ${c.low}` : '';
  const wide = operandWidth > 32;
  switch (node.operation) {
    case 'and':
    case 'or':
    case 'xor': {
      const op = node.operation === 'and' ? '&' : node.operation === 'or' ? '|' : '^';
      return { setup: [], low: `(${a.low} ${op} ${b.low}) >>> 0`, high: `(${a.high} ${op} ${b.high}) >>> 0` };
    }
    case 'not':
      return {
        setup: [],
        low: truncate(`~${a.low}`, width),
        high: `(~${a.high} & ${hex(highMask(width))}) >>> 0`,
      };
    case 'add':
    case 'addCarry':
    case 'addOverflow':
    case 'addAuxiliaryCarry':
    case 'subtract':
    case 'subtractBorrow':
    case 'subtractOverflow':
    case 'subtractAuxiliaryBorrow':
      return addOrSubtract(node.operation, operandWidth, a, b, carry);
    case 'negate':
      if (!wide) return word(truncate(`-${a.low}`, width));
      return { setup: [], low: `(-${a.low}) >>> 0`, high: `(~${a.high} + (${a.low} === 0 ? 1 : 0)) >>> 0` };
    case 'multiplyLow':
      if (!wide) return word(truncate(`Math.imul(${a.low}, ${b.low})`, width));
      if (isSmallConstant(node.args[1])) {
        // imul r64, r/m64, imm: a.low · imm stays below 2^53, so its high word is a plain division.
        return {
          setup: [],
          low: `Math.imul(${a.low}, ${b.low}) >>> 0`,
          high: `(Math.floor((${a.low} * ${b.low}) / 4294967296) + Math.imul(${a.high}, ${b.low})) >>> 0`,
        };
      }
      return {
        setup: [],
        low: `Math.imul(${a.low}, ${b.low}) >>> 0`,
        high: `(R.multiplyHighUnsigned32(${a.low}, ${b.low}) + Math.imul(${a.low}, ${b.high}) + Math.imul(${a.high}, ${b.low})) >>> 0`,
      };
    case 'multiplyHighUnsigned':
      if (width === 32) return word(`R.multiplyHighUnsigned32(${a.low}, ${b.low})`);
      return width < 32 ? word(`(${a.low} * ${b.low}) >>> ${width}`) : null;
    case 'multiplyHighSigned': {
      if (width === 32) return word(`R.multiplyHighSigned32(${a.low}, ${b.low})`);
      if (width > 32) return null;
      const s = 32 - width;
      return word(
        `((((${a.low} << ${s}) >> ${s}) * ((${b.low} << ${s}) >> ${s})) >> ${width}) & ${hex(lowMask(width))}`,
      );
    }
    case 'shiftLeft':
    case 'shiftRight':
    case 'shiftRightArithmetic':
      return shift(node.operation, width, a, b, node.args[1]);
    case 'rotateLeft':
    case 'rotateRight': {
      if (wide) return null;
      const n = temporary();
      const left = node.operation === 'rotateLeft' ? n : `(${width} - ${n}) % ${width}`;
      const l = temporary();
      return {
        setup: [`const ${n} = ${countOf(b, node.args[1])} % ${width};`, `const ${l} = ${left};`],
        low: `${l} === 0 ? ${a.low} : ${truncate(`(${a.low} << ${l}) | (${a.low} >>> (${width} - ${l}))`, width)}`,
        high: ZERO,
      };
    }
    case 'testBit': {
      const n = temporary();
      const bit = wide
        ? `${n} < 32 ? (${a.low} >>> ${n}) & 1 : (${a.high} >>> (${n} - 32)) & 1`
        : `(${a.low} >>> ${n}) & 1`;
      return {
        setup: [`const ${n} = ${countOf(b, node.args[1])};`],
        low: `${n} >= ${operandWidth} ? 0 : ${bit}`,
        high: ZERO,
      };
    }
    case 'extract':
      return extract(a, node.parameters[0], width);
    case 'concat':
      return concat(a, b, node.parameters[0], width);
    case 'zeroExtend':
      if (width < operandWidth) return extract(a, 0, width);
      return { setup: [], low: a.low, high: a.high };
    case 'signExtend': {
      const from = node.parameters[0];
      if (from > 32) return null;
      const s = temporary();
      const shiftBy = 32 - from;
      return {
        setup: [`const ${s} = ${shiftBy === 0 ? `${a.low} | 0` : `(${a.low} << ${shiftBy}) >> ${shiftBy}`};`],
        low: truncate(s, width),
        high: `((${s} >> 31) & ${hex(highMask(width))}) >>> 0`,
      };
    }
    case 'populationCount':
      return word(
        wide
          ? `R.populationCount32(${a.low}) + R.populationCount32(${a.high})`
          : `R.populationCount32(${a.low})`,
      );
    case 'countLeadingZeros':
      return word(`R.countLeadingZeros64(${a.low}, ${a.high}, ${operandWidth})`);
    case 'countTrailingZeros':
      return word(`R.countTrailingZeros64(${a.low}, ${a.high}, ${operandWidth})`);
    case 'evenParity':
      if (operandWidth <= 8) return word(`E[${a.low}]`);
      return word(`(R.populationCount32(${a.low}) + R.populationCount32(${a.high}) + 1) & 1`);
    case 'isZero':
      return word(`(${a.low} | ${a.high}) === 0 ? 1 : 0`);
    case 'equal':
      return word(`${a.low} === ${b.low} && ${a.high} === ${b.high} ? 1 : 0`);
    case 'lessUnsigned':
      return word(
        wide
          ? `${a.high} < ${b.high} || (${a.high} === ${b.high} && ${a.low} < ${b.low}) ? 1 : 0`
          : `${a.low} < ${b.low} ? 1 : 0`,
      );
    case 'lessSigned': {
      if (wide)
        return word(
          `(${a.high} | 0) < (${b.high} | 0) || (${a.high} === ${b.high} && ${a.low} < ${b.low}) ? 1 : 0`,
        );
      const s = 32 - operandWidth;
      return word(`(${a.low} << ${s}) < (${b.low} << ${s}) ? 1 : 0`);
    }
    default:
      // Division, rotations through carry, 64-bit high multiplies and rotations, pdep/pext, crc32.
      return null;
  }
}

/** A constant below 2^21: multiplying a 32-bit word by it is exact in a double. */
function isSmallConstant(node: Expression): boolean {
  return node.kind === 'constant' && node.value < 1n << 21n;
}

/** A shift or rotate count as a JS number, saturated at 255 like the kernels' `readCount`. */
function countOf(count: GeneratedValue, node: Expression): string {
  if (node.kind === 'constant') return String(Math.min(Number(node.value), 255));
  if (node.width <= 8) return count.low;
  if (node.width <= 32) return `(${count.low} > 255 ? 255 : ${count.low})`;
  return `(${count.high} !== 0 || ${count.low} > 255 ? 255 : ${count.low})`;
}

function addOrSubtract(
  operation: string,
  width: number,
  a: GeneratedValue,
  b: GeneratedValue,
  carry: string,
): Template {
  const subtracting = operation.startsWith('subtract');
  const op = subtracting ? '-' : '+';
  const setup: string[] = [];
  // The result's words: `sum` (low, exact as a double) and, for 64-bit operands, the high word.
  const sum = temporary();
  setup.push(`const ${sum} = ${a.low} ${op} ${b.low}${carry.replace('+', op)};`);
  let resultLow: string, resultHigh: string, outOfWord: string;
  if (width > 32) {
    const high = temporary();
    const borrowOrCarry = subtracting ? `(${sum} < 0 ? 1 : 0)` : `(${sum} > 0xffffffff ? 1 : 0)`;
    setup.push(`const ${high} = ${a.high} ${op} ${b.high} ${op} ${borrowOrCarry};`);
    resultLow = `(${sum} >>> 0)`;
    resultHigh = `(${high} >>> 0)`;
    outOfWord = subtracting ? `${high} < 0 ? 1 : 0` : `${high} > 0xffffffff ? 1 : 0`;
  } else {
    resultLow = width === 32 ? `(${sum} >>> 0)` : `(${sum} & ${hex(lowMask(width))})`;
    resultHigh = ZERO;
    outOfWord = subtracting
      ? `${sum} < 0 ? 1 : 0`
      : width === 32
        ? `${sum} > 0xffffffff ? 1 : 0`
        : `(${sum} >>> ${width}) & 1`;
  }
  const signWord = width > 32 ? 'high' : 'low';
  const signShift = (width > 32 ? width - 32 : width) - 1;
  const [aSign, bSign, rSign] = [a[signWord], b[signWord], width > 32 ? resultHigh : resultLow];
  switch (operation) {
    case 'add':
    case 'subtract':
      return { setup, low: resultLow, high: resultHigh };
    case 'addCarry':
    case 'subtractBorrow':
      return { setup, low: outOfWord, high: ZERO };
    case 'addOverflow':
      return {
        setup,
        low: `((~(${aSign} ^ ${bSign}) & (${aSign} ^ ${rSign})) >>> ${signShift}) & 1`,
        high: ZERO,
      };
    case 'subtractOverflow':
      return {
        setup,
        low: `(((${aSign} ^ ${bSign}) & (${aSign} ^ ${rSign})) >>> ${signShift}) & 1`,
        high: ZERO,
      };
    default:
      // Auxiliary carry/borrow: the carry into bit 4.
      return { setup, low: `((${a.low} ^ ${b.low} ^ ${resultLow}) >>> 4) & 1`, high: ZERO };
  }
}

function shift(
  operation: string,
  width: number,
  a: GeneratedValue,
  count: GeneratedValue,
  countNode: Expression,
): Template | null {
  const constant = countNode.kind === 'constant' ? Math.min(Number(countNode.value), 255) : null;
  if (width <= 32) {
    const n = constant === null ? temporary() : String(constant);
    const setup = constant === null ? [`const ${n} = ${countOf(count, countNode)};`] : [];
    const truncate = (code: string) =>
      width === 32 ? `(${code}) >>> 0` : `(${code}) & ${hex(lowMask(width))}`;
    if (operation === 'shiftLeft')
      return { setup, low: `${n} >= ${width} ? 0 : ${truncate(`${a.low} << ${n}`)}`, high: ZERO };
    if (operation === 'shiftRight')
      return { setup, low: `${n} >= ${width} ? 0 : ${a.low} >>> ${n}`, high: ZERO };
    const s = 32 - width;
    const signed = s === 0 ? `(${a.low} | 0)` : `((${a.low} << ${s}) >> ${s})`;
    return { setup, low: truncate(`${signed} >> (${n} > 31 ? 31 : ${n})`), high: ZERO };
  }
  // 64-bit: constant counts inline (address scaling, shifts by immediates); others use the kernel.
  if (constant === null) return null;
  const n = constant;
  if (n === 0) return { setup: [], low: a.low, high: a.high };
  if (operation === 'shiftLeft') {
    if (n >= 64) return { setup: [], low: ZERO, high: ZERO };
    if (n >= 32) return { setup: [], low: ZERO, high: `(${a.low} << ${n - 32}) >>> 0` };
    return {
      setup: [],
      low: `(${a.low} << ${n}) >>> 0`,
      high: `((${a.high} << ${n}) | (${a.low} >>> ${32 - n})) >>> 0`,
    };
  }
  if (operation === 'shiftRight') {
    if (n >= 64) return { setup: [], low: ZERO, high: ZERO };
    if (n >= 32) return { setup: [], low: `${a.high} >>> ${n - 32}`, high: ZERO };
    return {
      setup: [],
      low: `((${a.low} >>> ${n}) | (${a.high} << ${32 - n})) >>> 0`,
      high: `${a.high} >>> ${n}`,
    };
  }
  if (n >= 32) {
    return {
      setup: [],
      low: `(${a.high} >> ${Math.min(n - 32, 31)}) >>> 0`,
      high: `(${a.high} >> 31) >>> 0`,
    };
  }
  return {
    setup: [],
    low: `((${a.low} >>> ${n}) | (${a.high} << ${32 - n})) >>> 0`,
    high: `(${a.high} >> ${n}) >>> 0`,
  };
}

function extract(a: GeneratedValue, lowBit: number, width: number): Template {
  const mask = (code: string) => (width >= 32 ? `(${code}) >>> 0` : `(${code}) & ${hex(lowMask(width))}`);
  if (lowBit >= 32) return { setup: [], low: mask(`${a.high} >>> ${lowBit - 32}`), high: ZERO };
  if (lowBit + width <= 32)
    return {
      setup: [],
      low: lowBit === 0 && width === 32 ? a.low : mask(`${a.low} >>> ${lowBit}`),
      high: ZERO,
    };
  const low = lowBit === 0 ? a.low : mask(`(${a.low} >>> ${lowBit}) | (${a.high} << ${32 - lowBit})`);
  const high = width > 32 ? `((${a.high} >>> ${lowBit}) & ${hex(highMask(width))}) >>> 0` : ZERO;
  return { setup: [], low, high };
}

function concat(high: GeneratedValue, low: GeneratedValue, lowWidth: number, width: number): Template {
  if (width <= 32) return { setup: [], low: `((${high.low} << ${lowWidth}) | ${low.low}) >>> 0`, high: ZERO };
  if (lowWidth === 32) return { setup: [], low: low.low, high: high.low };
  if (lowWidth < 32) {
    return {
      setup: [],
      low: `((${high.low} << ${lowWidth}) | ${low.low}) >>> 0`,
      high: `(((${high.low} >>> ${32 - lowWidth}) | (${high.high} << ${lowWidth})) & ${hex(highMask(width))}) >>> 0`,
    };
  }
  return {
    setup: [],
    low: low.low,
    high: `((${low.high} | (${high.low} << ${lowWidth - 32})) & ${hex(highMask(width))}) >>> 0`,
  };
}
