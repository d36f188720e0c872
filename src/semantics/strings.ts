/**
 * Semantics of the string instructions MOVS, STOS, LODS, SCAS and CMPS, alone or with a REP / REPE /
 * REPNE prefix (SDM Vol. 2B "MOVS/MOVSB/…", "REP/REPE/REPZ/REPNE/REPNZ"; Vol. 1 §7.3.9).
 *
 * A repeated string instruction executes **one iteration per step** and then points RIP back at
 * itself, as the processor does (it is interruptible between iterations, SDM Vol. 2B "REP …":
 * "a repeating string operation can be suspended by an exception or interrupt"):
 *
 * - rCX = 0: nothing happens (no memory is touched, no register or flag changes) and RIP := next;
 * - otherwise one iteration, rCX := rCX - 1, and RIP := next when rCX became 0 or, for CMPS/SCAS,
 *   when the new ZF ends the loop (REPE: ZF = 0, REPNE: ZF = 1); else RIP := this instruction.
 *
 * rSI, rDI and rCX are SI/ESI/RSI, DI/EDI/RDI and CX/ECX/RCX by *address* size (a 67 prefix selects
 * ESI/EDI/ECX in 64-bit mode; writing them zero-extends like any 32-bit register write). DF chooses
 * the direction: the pointers move by the element size, up when DF = 0 and down when DF = 1. A
 * segment override applies to the source DS:[rSI] only; ES:[rDI] cannot be overridden.
 *
 * An F2 (REPNE) prefix on MOVS, STOS or LODS repeats like F3 (REP): the SDM does not define the
 * combination, and the host CPU behaves so (`vial check` generates F2 on these forms too).
 */
import type { Expression } from '../ir/expression.js';
import type { MemoryOperand } from '../isa/operands.js';
import type { RegisterName } from '../isa/registers.js';
import { type SemanticsContext, SemanticsError } from './context.js';
import type { SemanticsFunction } from './types.js';

/** What one iteration of a string instruction does with its operands. */
type StringOperation = 'movs' | 'stos' | 'lods' | 'scas' | 'cmps';

/** The state one iteration works on: its guard, element width and the pointer registers. */
interface StringIteration {
  readonly c: SemanticsContext;
  /** 1 when the iteration happens: always without a repeat prefix, else when rCX ≠ 0. */
  readonly active: Expression;
  /** The guard for loads and stores: null (always) without a repeat prefix. */
  readonly guard: Expression | null;
  /** Element width in bits (8, 16, 32 or 64). */
  readonly width: number;
  /** +size when DF = 0, -size when DF = 1, at the address size. */
  readonly step: Expression;
}

/** The memory operand at `encoding` (the string source X or destination Y) and its pointer register. */
function stringOperand(
  c: SemanticsContext,
  encoding: 'stringSource' | 'stringDestination',
): { operand: MemoryOperand; pointer: RegisterName } {
  const index = c.instruction.form.operands.findIndex((spec) => spec.encoding === encoding);
  const operand = index < 0 ? null : c.operand(index);
  if (operand?.kind !== 'memory' || !operand.base) {
    throw new SemanticsError(`${c.instruction.form.name} has no ${encoding} operand`);
  }
  return { operand, pointer: operand.base };
}

/** Loads one element at the pointer register (the source honours a FS/GS override). */
function loadElement(iteration: StringIteration, encoding: 'stringSource' | 'stringDestination'): Expression {
  const { c, width, guard } = iteration;
  const { operand, pointer } = stringOperand(c, encoding);
  const address = c.ir.zeroExtend(c.readRegister(pointer), c.addressWidth);
  return c.ir.load(address, width, c.segmentOf(operand), guard);
}

/** Stores one element at ES:[rDI]. */
function storeElement(iteration: StringIteration, value: Expression): void {
  const { c, guard } = iteration;
  const { pointer } = stringOperand(c, 'stringDestination');
  c.store(c.ir.zeroExtend(c.readRegister(pointer), c.addressWidth), value, null, guard);
}

/** Moves a pointer register by one element in the direction DF says. */
function advance(iteration: StringIteration, encoding: 'stringSource' | 'stringDestination'): void {
  const { c, active, step } = iteration;
  const { pointer } = stringOperand(c, encoding);
  c.writeRegisterWhen(active, pointer, c.ir.add(c.readRegister(pointer), step));
}

/** The accumulator of the element width: AL, AX, EAX or RAX. */
function accumulator(iteration: StringIteration): RegisterName {
  return iteration.c.register(0, iteration.width as 8 | 16 | 32 | 64);
}

/**
 * One iteration of `operation`; returns the difference whose ZF may end a REPE/REPNE loop (CMPS, SCAS),
 * or null.
 */
function iterate(operation: StringOperation, iteration: StringIteration): Expression | null {
  const { c, active } = iteration;
  switch (operation) {
    case 'movs':
      storeElement(iteration, loadElement(iteration, 'stringSource'));
      advance(iteration, 'stringSource');
      advance(iteration, 'stringDestination');
      return null;
    case 'stos':
      storeElement(iteration, c.readRegister(accumulator(iteration)));
      advance(iteration, 'stringDestination');
      return null;
    case 'lods':
      c.writeRegisterWhen(active, accumulator(iteration), loadElement(iteration, 'stringSource'));
      advance(iteration, 'stringSource');
      return null;
    case 'scas': {
      // Flags of rAX - ES:[rDI] (SDM "SCAS": "Compare AL with byte at ES:(E)DI or RDI then set status flags").
      const element = loadElement(iteration, 'stringDestination');
      const difference = c.setSubtractionFlags(c.readRegister(accumulator(iteration)), element, null, active);
      advance(iteration, 'stringDestination');
      return difference;
    }
    case 'cmps': {
      // Flags of DS:[rSI] - ES:[rDI] (SDM "CMPS": the source minus the destination, unlike CMP's order).
      const source = loadElement(iteration, 'stringSource');
      const destination = loadElement(iteration, 'stringDestination');
      const difference = c.setSubtractionFlags(source, destination, null, active);
      advance(iteration, 'stringSource');
      advance(iteration, 'stringDestination');
      return difference;
    }
  }
}

/** The semantics of one string family, with or without a repeat prefix. */
function stringInstruction(operation: StringOperation): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const addressSize = c.instruction.addressSize;
    const elementSpec = c.instruction.form.operands.find(
      (spec) => spec.encoding === 'stringSource' || spec.encoding === 'stringDestination',
    );
    if (!elementSpec) throw new SemanticsError(`${c.instruction.form.name} has no string operand`);
    const width = elementSpec.size;
    const bytes = width / 8;
    const step = ir.select(c.flag('DF'), ir.constant(-bytes, addressSize), ir.constant(bytes, addressSize));
    const repeatPrefix = c.instruction.repeatPrefix;
    if (repeatPrefix === null) {
      iterate(operation, { c, active: ir.constant(1, 1), guard: null, width, step });
      return;
    }
    const countRegister = c.register(1, addressSize);
    const count = c.readRegister(countRegister);
    const active = ir.not(ir.isZero(count));
    const difference = iterate(operation, { c, active, guard: active, width, step });
    const remaining = ir.subtract(count, ir.constant(1, addressSize));
    c.writeRegisterWhen(active, countRegister, remaining);
    let finished = ir.or(ir.not(active), ir.isZero(remaining));
    if (difference && c.instruction.form.repeat === 'repe') {
      // REPE/REPZ (F3) stops when ZF = 0, REPNE/REPNZ (F2) when ZF = 1 (SDM Vol. 2B Table 4-15).
      const zero = ir.isZero(difference);
      finished = ir.or(finished, repeatPrefix === 'rep' ? ir.not(zero) : zero);
    }
    const next = ir.constant(c.nextAddress, c.addressWidth);
    c.jump(ir.select(finished, next, ir.constant(c.address, c.addressWidth)));
  };
}

/** Semantics of the string families, by family name. */
export const stringSemantics: Readonly<Record<string, SemanticsFunction>> = {
  movs: stringInstruction('movs'),
  stos: stringInstruction('stos'),
  lods: stringInstruction('lods'),
  scas: stringInstruction('scas'),
  cmps: stringInstruction('cmps'),
};
