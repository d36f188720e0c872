/**
 * The assembler: Intel-syntax source in NASM or GNU as (`.intel_syntax noprefix`) dialect → bytes,
 * sections, symbols and a listing, with encodings that follow the dialect's own assembler.
 * See docs/assembler.md.
 */
export {
  type AssembleOptions,
  type AssemblyResult,
  assemble,
  assembleOrThrow,
  detectDialect,
} from './assemble.js';
export { type AssemblyDiagnostic, AssemblyError, formatDiagnostic } from './diagnostics.js';
export type { AssembledSymbol } from './layout.js';
export type { Dialect } from './lexer.js';
export type { AssembledSection } from './sections.js';
