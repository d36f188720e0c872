/**
 * The value domain: the seed's coarse `Undefined`, and precise values with a per-bit undefined mask.
 */
export { formatValue } from './format.js';
export * as kernels from './kernels.js';
export {
  checkWidth,
  createFrame,
  isFullyDefined,
  loadBits,
  loadUndefinedMask,
  MAX_WIDTH,
  SLOT_WORDS,
  store,
  storeBigInt,
} from './layout.js';
export { type Coarse, isUndefined, ops, Undefined, UndefinedValue } from './undefined.js';
export { type Operand, Value } from './value.js';
