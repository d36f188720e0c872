/**
 * The shape every `vial` sub-command has. Each command lives in its own file under
 * `src/cli/commands/` and is listed once in `src/cli/commands/index.ts`.
 */

/** Where a command writes; tests pass a capturing implementation. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stdout is a terminal (progress bars, colours). */
  readonly isTTY: boolean;
  /**
   * Whether stdout gets ANSI colours; `main` decides it from `--color`, NO_COLOR, FORCE_COLOR and
   * {@link isTTY} (see `style.ts`). Absent means no colours, so captured output stays plain.
   */
  readonly color?: boolean;
}

/** A `vial` sub-command. */
export interface CliCommand {
  /** The word after `vial`, e.g. `leak`. */
  readonly name: string;
  /** One line for `vial --help`. */
  readonly summary: string;
  /** Full help text for `vial NAME --help`: usage, options, examples, exit codes. */
  readonly help: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[], out: CliOutput): Promise<number>;
}

/** An error the user can fix by changing the command line; printed without a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
