/** The IR: instruction semantics as expression trees, their printer and their evaluator. */
export { type BoundKernel, bindKernel, type CarryIn, IrBuilder, SCRATCH_SLOT } from './builder.js';
export { CompiledStatements, type EvaluationOutcome, type MachineAccess } from './evaluate.js';
export type { ExceptionVector, Expression, FlagBit, Location, Operation, Statement } from './expression.js';
export { flagBitPosition } from './expression.js';
export { locationName, printStatements } from './print.js';
