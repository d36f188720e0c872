/**
 * The single-source ISA specification: registers, operand kinds, instruction families and forms.
 * See README.md beside this file.
 */
export * from './catalog.js';
export * from './conditions.js';
export * from './notation.js';
export * from './operands.js';
export * from './outOfScope.js';
export * from './registers.js';
export * from './spec.js';
