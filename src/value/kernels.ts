/**
 * All kernels of the precise domain, in one namespace. A kernel reads operand slots of a frame and
 * writes result slots (layout in `layout.ts`); none allocates. The VM's interpreter and compiled
 * code call these; `Value` wraps them for people.
 */
export * from './arithmetic.js';
export * from './bitfield.js';
export * from './bitwise.js';
export * from './counting.js';
export * from './division.js';
export { copySlot, storeConstant, storeUnknown } from './layout.js';
