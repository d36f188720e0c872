/**
 * Terminal colours for the `vial` CLI, without a dependency: a handful of ANSI SGR codes is all the
 * CLI needs, and owning them keeps plain (non-TTY) output byte-for-byte free of escape codes.
 *
 * When to colour follows https://no-color.org and the common FORCE_COLOR convention:
 * `--color=always|never` wins; otherwise a non-empty `NO_COLOR` turns colours off, a `FORCE_COLOR`
 * other than `0`/`false` turns them on, and else stdout must be a terminal (`TERM=dumb` is not).
 */
import { UsageError } from './command.js';

/** The values of the global `--color` option. */
export type ColorChoice = 'always' | 'never' | 'auto';

/** Parses the value of `--color` (`--color` alone means `always`, as in GNU tools). */
export function parseColorChoice(text: string | undefined): ColorChoice {
  if (text === undefined || text === '' || text === 'always') return 'always';
  if (text === 'never' || text === 'auto') return text;
  throw new UsageError(`--color must be always, never or auto, not '${text}'`);
}

/** The environment variables the colour decision reads. */
export interface ColorEnvironment {
  readonly NO_COLOR?: string;
  readonly FORCE_COLOR?: string;
  readonly TERM?: string;
}

/** Decides whether stdout gets colours (see the module comment for the precedence). */
export function shouldColor(choice: ColorChoice, isTTY: boolean, env: ColorEnvironment): boolean {
  if (choice !== 'auto') return choice === 'always';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY && env.TERM !== 'dumb';
}

/** The roles text plays in vial's output; each maps to one colour, so output stays consistent. */
export interface Style {
  /** Whether this style emits escape codes at all. */
  readonly enabled: boolean;
  /** Undefined bits (`?`, `[1?01]`, `??`). */
  undefinedBits(text: string): string;
  /** A value that differs from the state the run started in. */
  changed(text: string): string;
  /** Faults, strict-mode stops, failures. */
  failure(text: string): string;
  /** A successful result (`ok`, a clean stop). */
  success(text: string): string;
  /** Secondary information: addresses, bytes. */
  dim(text: string): string;
  /** Headings and names. */
  bold(text: string): string;
  /**
   * Colours the undefined digits of a value printed by `formatValue`/`Value.toString`
   * (`?` and `[..]` groups), leaving the defined digits as they are.
   */
  value(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) =>
  text === '' ? text : `\x1b[${open}m${text}\x1b[${close}m`;

const identity = (text: string) => text;

/** Output without escape codes: what pipes, files and tests get. */
export const plainStyle: Style = {
  enabled: false,
  undefinedBits: identity,
  changed: identity,
  failure: identity,
  success: identity,
  dim: identity,
  bold: identity,
  value: identity,
};

const magenta = sgr(35, 39);

/** Output with ANSI colours: undefined bits magenta, changes yellow+bold, failures red. */
export const colorStyle: Style = {
  enabled: true,
  undefinedBits: magenta,
  changed: (text) => (text === '' ? text : `\x1b[1;33m${text}\x1b[22;39m`),
  failure: sgr(31, 39),
  success: sgr(32, 39),
  dim: sgr(2, 22),
  bold: sgr(1, 22),
  value: (text) => text.replace(/\[[01?]+\]|\?+/g, magenta),
};

/** The style for a decision made by {@link shouldColor}. */
export function styleFor(color: boolean | undefined): Style {
  return color ? colorStyle : plainStyle;
}

/** The length of `text` as a terminal shows it: escape codes take no columns. */
export function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escape codes is the point.
  return text.replace(/\x1b\[[0-9;]*m/g, '').length;
}

/** Pads `text` on the right to `width` visible columns (escape codes do not count). */
export function padVisible(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)));
}
