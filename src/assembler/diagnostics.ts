/**
 * Errors the assembler reports. An error is a value a person can act on: where it is (line and column,
 * both 1-based), what was found and what would have been accepted. One run collects several errors
 * rather than stopping at the first; the throwing APIs wrap them in one {@link AssemblyError}.
 */

/** One problem in the source, at a 1-based line and column. */
export interface AssemblyDiagnostic {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Formats a diagnostic the way compilers do: `line 12:9: message`. */
export function formatDiagnostic(diagnostic: AssemblyDiagnostic): string {
  return `line ${diagnostic.line}:${diagnostic.column}: ${diagnostic.message}`;
}

/**
 * Thrown by the throwing APIs (e.g. `assembleOrThrow`) when the source has errors. Carries every
 * diagnostic of the run, not only the first.
 */
export class AssemblyError extends Error {
  override readonly name = 'AssemblyError';
  readonly diagnostics: readonly AssemblyDiagnostic[];

  constructor(diagnostics: readonly AssemblyDiagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.diagnostics = diagnostics;
  }
}

/**
 * The error raised inside the assembler for one statement; the driver catches it, records it as a
 * diagnostic and goes on with the next statement.
 */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  /** 1-based column, or 0 when the statement's own column should be used. */
  readonly column: number;

  constructor(message: string, column = 0) {
    super(message);
    this.column = column;
  }
}
