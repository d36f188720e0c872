/**
 * Instruction semantics, by family: each function builds the family's IR (see `src/ir/`).
 *
 * The ISA declarations in `src/isa/families/` leave a `semantics` slot; until the declarations and
 * the semantics sit side by side, this table is the link (keyed by `family.family`), and a test checks
 * that every in-scope family is covered or listed in {@link familiesWithoutSemantics}.
 */
import type { Instruction } from '../decoder/instruction.js';
import type { Statement } from '../ir/expression.js';
import { arithmeticSemantics } from './arithmetic.js';
import { decimalSemantics } from './bcd.js';
import { bitSemantics } from './bits.js';
import { SemanticsContext } from './context.js';
import { controlSemantics } from './control.js';
import { dataMovementSemantics } from './datamove.js';
import { extendedSemantics } from './extended.js';
import { shiftSemantics } from './shifts.js';
import { stackSemantics } from './stack.js';
import { stringSemantics } from './strings.js';
import type { SemanticsFunction } from './types.js';

export { SemanticsContext, SemanticsError } from './context.js';
export type { SemanticsFunction } from './types.js';

/** Every family that has semantics, by family name. */
export const semanticsByFamily: ReadonlyMap<string, SemanticsFunction> = new Map(
  Object.entries({
    ...arithmeticSemantics,
    ...shiftSemantics,
    ...bitSemantics,
    ...dataMovementSemantics,
    ...controlSemantics,
    ...stringSemantics,
    ...stackSemantics,
    ...extendedSemantics,
    ...decimalSemantics,
  }),
);

/** Families that decode but cannot be lifted or executed yet, with the reason. */
export const familiesWithoutSemantics: Readonly<Record<string, string>> = {};

/** Thrown when an instruction's family has no semantics yet. */
export class MissingSemanticsError extends Error {
  override readonly name = 'MissingSemanticsError';
  constructor(
    readonly family: string,
    reason: string,
  ) {
    super(`no semantics for '${family}' yet (${reason})`);
  }
}

/** Builds the IR statements of one decoded instruction located at `address`. */
export function buildSemantics(instruction: Instruction, address: bigint): Statement[] {
  const family = instruction.form.family.family;
  const semantics = semanticsByFamily.get(family);
  if (!semantics)
    throw new MissingSemanticsError(family, familiesWithoutSemantics[family] ?? 'unknown family');
  const context = new SemanticsContext(instruction, address);
  semantics(context);
  return context.statements;
}
