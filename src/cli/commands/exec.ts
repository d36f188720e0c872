import { parseArgs } from 'node:util';
import type { Machine, Stop } from '../../machine/machine.js';
import { CodeInputError, codeOptions, readCode } from '../code-input.js';
import { type CliCommand, type CliOutput, UsageError } from '../command.js';
import { machineStateJson, reportedRegisters, setUpMachine, stateOptions } from '../machine-setup.js';

const FLAG_NAMES = ['CF', 'PF', 'AF', 'ZF', 'SF', 'OF', 'DF'] as const;

/** The final state for people: stop, registers four to a line (`?` = undefined), flags. */
export function formatState(machine: Machine, stop: Stop): string {
  const lines = [
    `stop: ${stop.reason}${stop.fault ? ` ${stop.fault}` : ''} at 0x${stop.address.toString(16)} after ${machine.steps} step${machine.steps === 1 ? '' : 's'} — ${stop.message}`,
  ];
  const names = reportedRegisters[machine.mode];
  const width = Math.max(...names.map((name) => name.length));
  for (let i = 0; i < names.length; i += 4) {
    lines.push(
      names
        .slice(i, i + 4)
        .map((name) => `${name.padStart(width)} ${machine.getRegister(name).toString()}`)
        .join('   '),
    );
  }
  const ip = machine.mode === 64 ? 'rip' : 'eip';
  lines.push(`${ip.padStart(width)} ${machine.getRegister(ip).toString()}`);
  lines.push(
    `flags ${FLAG_NAMES.map((flag) => `${flag}=${String(machine.getFlag(flag).toCoarse()).replace('Undefined', '?')}`).join(' ')}`,
  );
  return `${lines.join('\n')}\n`;
}

/** Memory bytes for people: two hex digits each, `??` where all bits are undefined. */
function formatBytes(bytes: string, undefinedBits: string): string {
  const pairs = bytes.match(/../g) ?? [];
  const masks = undefinedBits.match(/../g) ?? [];
  return pairs
    .map((pair, i) =>
      masks[i] === 'ff' ? '??' : masks[i] === '00' ? pair : `${pair}(undefined bits ${masks[i]})`,
    )
    .join(' ');
}

/** Runs `vial exec`/`vial run`: parse, set up, run, print. */
export async function runProgram(args: string[], out: CliOutput, requireFile: boolean): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { ...codeOptions, ...stateOptions, json: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (requireFile && positionals.length === 0) throw new UsageError('expected a source FILE');
  try {
    const code = readCode(values, positionals, 0x1000n);
    const machine = setUpMachine(code, values);
    const stop = machine.run();
    const state = machineStateJson(machine, stop, values.dump ?? []);
    if (values.json) {
      out.stdout(`${JSON.stringify(state)}\n`);
    } else {
      out.stdout(formatState(machine, stop));
      for (const dump of state.memory)
        out.stdout(`mem ${dump.address}: ${formatBytes(dump.bytes, dump.undefined)}\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof CodeInputError) {
      out.stderr(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

const options = `Code (exactly one):
  --hex HEX             machine code as hex bytes (e.g. f7f1)
  --asm TEXT            assembly source (repeat --asm for several lines)
  --bin FILE            raw machine code from a file
  FILE                  assembly source file (NASM or GNU .intel_syntax; --syntax to force)

Options:
  --mode 32|64          processor mode (default 64)
  --undefined POLICY    zero | track | strict (default track): what undefined results become
  --set REG=VALUE       initial register or rflags/eflags value; VALUE may be ? (undefined)
  --map ADDR:LEN[:rwx]  map zero-filled (defined) memory, default rw
  --mem ADDR=HEX        map (if needed) and fill memory
  --dump ADDR:LEN       include memory in the output
  --origin ADDR         where the code goes (default 0x1000)
  --max-steps N         step limit (default 10,000,000)
  --json                print the final state as one JSON object

Registers not set start undefined (track/strict) or 0 (zero); rsp/esp points into a mapped,
undefined stack whose top holds a return address, so a top-level ret stops with reason 'return'.`;

/** `vial exec`: run code from a given state and print the final state. */
export const execCommand: CliCommand = {
  name: 'exec',
  summary: 'run machine code or assembly from a given state and print the final state',
  help: `Usage: vial exec [OPTIONS] (--hex HEX | --asm TEXT | --bin FILE | FILE)

Runs the code until it reaches its end, hlt, int3, a system call, a fault, a strict-mode
violation, a return from the top level, or the step limit, then prints the final state.
Undefined bits print as ? (a hex digit) or in [brackets] (mixed bits).

${options}

Examples:
  vial exec --hex f7f1 --set eax=7 --set ecx=2 --set edx=0
  vial exec --asm 'mov eax, 7' --asm 'xor edx, edx' --asm 'mov ecx, 2' --asm 'div ecx' --json
  vial exec --mode 32 --undefined strict --asm 'div ecx' --asm 'jc done' --asm 'done:'
  vial exec --mem 0x2000=0011aabb --dump 0x2000:4 --asm 'inc dword [0x2000]'

Exit codes: 0 the code ran (whatever the stop reason: it is in the output), 1 bad code
(assembly errors, unreadable file), 2 usage error.`,
  run: (args, out) => runProgram(args, out, false),
};

/** \`vial run\`: assemble a file, run it, print the final state for people. */
export const runCommand: CliCommand = {
  name: 'run',
  summary: 'assemble and run a source file, print the final state',
  help: `Usage: vial run FILE [OPTIONS]

Assembles FILE (NASM or GNU Intel syntax), runs it and prints the final state for people:
registers with undefined bits as ?, the flags, and why the run stopped. Takes the same
options as \`vial exec\`.

${options}

Examples:
  vial run examples/div.asm
  vial run examples/div.asm --undefined strict

Exit codes: 0 the code ran, 1 bad code, 2 usage error.`,
  run: (args, out) => runProgram(args, out, true),
};
