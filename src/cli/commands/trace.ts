import { parseArgs } from 'node:util';
import { decodeInstruction } from '../../decoder/decoder.js';
import { type CodeInput, CodeInputError, codeOptions, readCode } from '../code-input.js';
import type { CliCommand, CliOutput } from '../command.js';
import { machineStateJson, setUpMachine, stateOptions, valueJson } from '../machine-setup.js';
import {
  formatFlagValue,
  formatState,
  instructionPointer,
  type StateSnapshot,
  snapshotState,
} from '../state-format.js';
import { padVisible, type Style, styleFor } from '../style.js';
import { execOptionsHelp } from './exec.js';

/** Column widths of a trace line; streamed output cannot measure first, so they are fixed. */
const BYTES_COLUMN = 29; // ten bytes (movabs); the rare longer instruction pushes its line right
const TEXT_COLUMN = 32;

/** The bytes of the instruction at `address`, when it lies in the loaded code (else empty). */
function instructionBytes(code: CodeInput, address: bigint): Uint8Array {
  const offset = Number(address - code.origin);
  if (address < code.origin || offset >= code.bytes.length) return new Uint8Array();
  const decoded = decodeInstruction(code.bytes, offset, code.mode);
  return code.bytes.slice(offset, offset + decoded.length);
}

/** The registers and flags whose value differs between two snapshots, in snapshot order. */
function changes(before: StateSnapshot, after: StateSnapshot, ip: string) {
  return [...after].filter(([name, value]) => name !== ip && !value.equals(before.get(name) ?? value));
}

const hexBytes = (bytes: Uint8Array, separator: string) =>
  Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(separator);

/** One trace line for people: address, bytes, disassembly, then `name=value` for each change. */
function traceLine(
  address: bigint,
  bytes: Uint8Array,
  text: string,
  changed: ReturnType<typeof changes>,
  style: Style,
): string {
  const described = changed.map(([name, value]) =>
    value.width === 1
      ? `${name}=${value.isDefined ? formatFlagValue(value) : style.undefinedBits('?')}`
      : `${name}=${style.value(value.toString())}`,
  );
  const columns = [
    style.dim(`0x${address.toString(16).padStart(8, '0')}`),
    padVisible(style.dim(hexBytes(bytes, ' ')), BYTES_COLUMN),
    padVisible(text, TEXT_COLUMN),
    described.join(' '),
  ];
  return columns.join('  ').trimEnd();
}

/** `vial trace`: one line per executed instruction. */
export const traceCommand: CliCommand = {
  name: 'trace',
  summary: 'run code and print each executed instruction with what it changed',
  help: `Usage: vial trace [OPTIONS] (--hex HEX | --asm TEXT | --bin FILE | FILE)

Runs the code like \`vial exec\` and prints one line per executed instruction, in aligned
columns: its address, its bytes, its disassembly (NASM syntax), and the registers and flags it
changed (rip/eip left out), undefined bits as ? (a hex digit) or [1?01] (mixed bits). Ends with
the stop and the final state, as \`vial exec\` prints them.

${execOptionsHelp}
  --json                print JSON Lines: one object per instruction, then the final state

JSON Lines (--json): one object per executed instruction,
  {"step":1,"address":"0x1000","bytes":"b807000000","text":"mov eax, 7",
   "changes":{"rax":{"value":"0x7","undefined":"0x0"}}}
then one object with "final":true and the fields of \`vial exec --json\` (mode, stop, steps,
registers, rflags/eflags, memory). Flags in "changes" are 1-bit values ("CF":{"value":"0x0",...}).

Examples:
  vial trace --asm 'mov eax, 7' --asm 'xor edx, edx' --asm 'mov ecx, 2' --asm 'div ecx'
  vial trace --mode 32 --undefined strict --asm 'div ecx' --asm 'jc done' --asm 'done:'
  vial trace examples/div.asm --json

Exit codes: 0 the code ran (whatever the stop reason: it is printed), 1 bad code (assembly
errors, unreadable file), 2 usage error.`,
  async run(args: string[], out: CliOutput): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      options: { ...codeOptions, ...stateOptions, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    const style = styleFor(out.color);
    try {
      const code = readCode(values, positionals, 0x1000n);
      const machine = setUpMachine(code, values);
      const ip = instructionPointer(code.mode);
      const initial = snapshotState(machine);
      const limit = machine.maxSteps;
      let before: StateSnapshot = initial;
      for (;;) {
        const address = machine.getRegister(ip).bits;
        const text = machine.disassembleAt(address) ?? '(cannot decode)';
        const stepsBefore = machine.steps;
        const stop = machine.run(1);
        if (machine.steps > stepsBefore) {
          const after = snapshotState(machine);
          const changed = changes(before, after, ip);
          const bytes = instructionBytes(code, address);
          out.stdout(
            values.json
              ? `${JSON.stringify({
                  step: machine.steps,
                  address: `0x${address.toString(16)}`,
                  bytes: hexBytes(bytes, ''),
                  text,
                  changes: Object.fromEntries(changed.map(([name, value]) => [name, valueJson(value)])),
                })}\n`
              : `${traceLine(address, bytes, text, changed, style)}\n`,
          );
          before = after;
        }
        if (stop.reason !== 'limit' || machine.steps >= limit) {
          const state = machineStateJson(machine, stop, values.dump ?? []);
          out.stdout(
            values.json
              ? `${JSON.stringify({ final: true, ...state })}\n`
              : formatState(machine, stop, { initial, memory: state.memory, style }),
          );
          return 0;
        }
      }
    } catch (error) {
      if (error instanceof CodeInputError) {
        out.stderr(`${error.message}\n`);
        return 1;
      }
      throw error;
    }
  },
};
