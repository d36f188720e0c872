/**
 * vial — the core library (browser-safe: no Node APIs anywhere under this entry point).
 * Node-only parts have their own entry points (`vial/leak`, the CLI).
 */

export * from './assembler/index.js';
export * from './decoder/index.js';
export * from './disassembler/index.js';
export * from './encoder/index.js';
export * from './ir/index.js';
export type { Operand as InstructionOperand } from './isa/index.js';
export * from './isa/index.js';
export * from './machine/index.js';
export {
  buildSemantics,
  familiesWithoutSemantics,
  MissingSemanticsError,
  SemanticsContext,
  SemanticsError,
  type SemanticsFunction,
  semanticsByFamily,
} from './semantics/index.js';
export { type LiftedInstruction, type LiftOptions, liftBytes } from './semantics/lift.js';
// Both value/ and isa/ name a type Operand: the top level keeps value's, isa's is InstructionOperand.
export type { Operand } from './value/index.js';
export * from './value/index.js';
