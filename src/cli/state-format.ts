/**
 * The machine state for people (`vial exec`, `run`, `trace`): the stop, the registers in aligned
 * columns, the flags and memory dumps. Undefined bits print as `?` (a hex digit whose four bits are
 * all undefined) or `[1?01]` (a digit with mixed bits), as `formatValue` writes them; a value that
 * differs from the state the run started in is marked with `*` and, on a terminal, coloured.
 *
 * Plain output is a stable format: it contains no escape codes and depends only on the run.
 */
import { type FlagBit, flagBitPosition } from '../ir/expression.js';
import type { Machine, Stop } from '../machine/machine.js';
import { formatValue } from '../value/format.js';
import type { Value } from '../value/value.js';
import { reportedRegisters } from './machine-setup.js';
import { padVisible, plainStyle, type Style, visibleLength } from './style.js';

/** The flags vial models: the six status flags, then DF (the order `flagBitPosition` lists them). */
export const displayedFlags: readonly FlagBit[] = Object.keys(flagBitPosition) as FlagBit[];

/** Every register `formatState` shows (general registers, then the instruction pointer) and every flag. */
export type StateSnapshot = ReadonlyMap<string, Value>;

/** The instruction pointer's name in a mode. */
export function instructionPointer(mode: 32 | 64): 'rip' | 'eip' {
  return mode === 64 ? 'rip' : 'eip';
}

/** Records the registers and flags of `machine`, to mark later what changed. */
export function snapshotState(machine: Machine): Map<string, Value> {
  const values = new Map<string, Value>();
  for (const name of reportedRegisters[machine.mode]) values.set(name, machine.getRegister(name));
  const ip = instructionPointer(machine.mode);
  values.set(ip, machine.getRegister(ip));
  for (const flag of displayedFlags) values.set(flag, machine.getFlag(flag));
  return values;
}

/** Registers per row: four 32-bit or four 64-bit registers in encoding order (rax rcx rdx rbx, …). */
const REGISTERS_PER_ROW = 4;

/** Stop reasons that mean the code did not finish the way it was written to. */
const FAILED_STOPS = new Set(['fault', 'strict', 'limit']);

/** `stop: end at 0x1002 after 1 step — …`, red on a terminal for faults, strict stops and the step limit. */
export function formatStop(stop: Stop, steps: number, style: Style = plainStyle): string {
  const text = `stop: ${stop.reason}${stop.fault ? ` ${stop.fault}` : ''} at 0x${stop.address.toString(16)} after ${steps} step${steps === 1 ? '' : 's'} — ${stop.message}`;
  return FAILED_STOPS.has(stop.reason) ? style.failure(text) : style.success(text);
}

/** A flag for people: `0`, `1` or `?`. */
export function formatFlagValue(value: Value): string {
  return value.isDefined ? String(value.bits) : '?';
}

/** One register cell, `rax 0x…*`, where `*` marks a value that differs from `initial`. */
function registerCell(
  name: string,
  value: Value,
  width: number,
  initial: StateSnapshot | undefined,
  style: Style,
) {
  const changed = initial !== undefined && !value.equals(initial.get(name) ?? value);
  const label = name.padStart(width);
  return `${changed ? style.changed(label) : label} ${style.value(value.toString())}${changed ? style.changed('*') : ' '}`;
}

/**
 * The registers in aligned columns (each column as wide as its widest cell, so mixed-bit digits
 * such as `[1?01]` do not shift the next column), the instruction pointer on its own last row.
 */
export function formatRegisters(
  machine: Machine,
  initial?: StateSnapshot,
  style: Style = plainStyle,
): string[] {
  const names = reportedRegisters[machine.mode];
  const ip = instructionPointer(machine.mode);
  const width = Math.max(...names.map((name) => name.length));
  const rows: string[][] = [];
  for (let i = 0; i < names.length; i += REGISTERS_PER_ROW) {
    rows.push(
      names
        .slice(i, i + REGISTERS_PER_ROW)
        .map((name) => registerCell(name, machine.getRegister(name), width, initial, style)),
    );
  }
  const columnWidths: number[] = [];
  // The instruction pointer's row is measured out: it is alone on its row and often has mixed
  // digits (a jump on an undefined flag), which would otherwise widen the first column.
  for (const row of rows)
    row.forEach((cell, column) => {
      columnWidths[column] = Math.max(columnWidths[column] ?? 0, visibleLength(cell));
    });
  rows.push([registerCell(ip, machine.getRegister(ip), width, initial, style)]);
  return rows.map((row) =>
    row
      .map((cell, column) => padVisible(cell, columnWidths[column]))
      .join('  ')
      .trimEnd(),
  );
}

/** `flags CF=0 PF=? …`, a changed flag marked like a register. */
export function formatFlags(machine: Machine, initial?: StateSnapshot, style: Style = plainStyle): string {
  const cells = displayedFlags.map((flag) => {
    const value = machine.getFlag(flag);
    const changed = initial !== undefined && !value.equals(initial.get(flag) ?? value);
    const text = `${flag}=${value.isDefined ? String(value.bits) : style.undefinedBits('?')}`;
    return changed ? `${style.changed(flag)}=${text.slice(flag.length + 1)}${style.changed('*')}` : text;
  });
  return `flags ${cells.join(' ')}`;
}

/** A memory dump as the `--json` contract has it: hex bytes and the hex mask of undefined bits. */
export interface MemoryDump {
  readonly address: string;
  readonly bytes: string;
  readonly undefined: string;
}

/** Bytes per line of a memory dump, as in hexdump. */
const DUMP_BYTES_PER_LINE = 16;

/**
 * A memory dump for people: `mem 0x2000: 01 11 ?? 0[1?01]…`, sixteen bytes a line; `??` is a byte
 * whose bits are all undefined, a byte with some undefined bits prints like `formatValue` digits.
 */
export function formatMemoryDump(dump: MemoryDump, style: Style = plainStyle): string[] {
  const bytes = dump.bytes.match(/../g) ?? [];
  const masks = dump.undefined.match(/../g) ?? [];
  const start = BigInt(dump.address);
  const cells = bytes.map((pair, i) =>
    style.value(formatValue(BigInt(`0x${pair}`), BigInt(`0x${masks[i] ?? '00'}`), 8).slice(2)),
  );
  const lines: string[] = [];
  for (let i = 0; i < cells.length; i += DUMP_BYTES_PER_LINE) {
    const address = `0x${(start + BigInt(i)).toString(16)}`;
    lines.push(`mem ${style.dim(address)}: ${cells.slice(i, i + DUMP_BYTES_PER_LINE).join(' ')}`);
  }
  if (lines.length === 0) lines.push(`mem ${style.dim(dump.address)}: (0 bytes)`);
  return lines;
}

/** What {@link formatState} prints besides the registers. */
export interface StateFormatOptions {
  /** The state the run started in: values that differ are marked. */
  readonly initial?: StateSnapshot;
  /** Memory to show (`--dump`). */
  readonly memory?: readonly MemoryDump[];
  readonly style?: Style;
}

/** The final state for people: the stop line, registers, flags and memory dumps, newline-terminated. */
export function formatState(machine: Machine, stop: Stop, options: StateFormatOptions = {}): string {
  const style = options.style ?? plainStyle;
  const lines = [
    formatStop(stop, machine.steps, style),
    ...formatRegisters(machine, options.initial, style),
    formatFlags(machine, options.initial, style),
    ...(options.memory ?? []).flatMap((dump) => formatMemoryDump(dump, style)),
  ];
  return `${lines.join('\n')}\n`;
}
