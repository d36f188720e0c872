import { parseArgs } from 'node:util';
import { CodeInputError, codeOptions, readCode } from '../code-input.js';
import { type CliCommand, type CliOutput, UsageError } from '../command.js';
import { machineStateJson, setUpMachine, stateOptions } from '../machine-setup.js';
import { formatState, snapshotState } from '../state-format.js';
import { styleFor } from '../style.js';

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
    const initial = snapshotState(machine);
    const stop = machine.run();
    const state = machineStateJson(machine, stop, values.dump ?? []);
    out.stdout(
      values.json
        ? `${JSON.stringify(state)}\n`
        : formatState(machine, stop, { initial, memory: state.memory, style: styleFor(out.color) }),
    );
    return 0;
  } catch (error) {
    if (error instanceof CodeInputError) {
      out.stderr(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** The code and state options `exec`, `run` and `trace` share, for their help texts. */
export const execOptionsHelp = `Code (exactly one):
  --hex HEX             machine code as hex bytes (e.g. f7f1)
  --asm TEXT            assembly source (repeat --asm for several lines)
  --bin FILE            raw machine code from a file
  FILE                  assembly source file (NASM or GNU .intel_syntax; --syntax to force)

Options:
  --mode 32|64          processor mode (default 64)
  --syntax nasm|gnu     dialect of assembly input (default: detected)
  --undefined POLICY    zero | track | strict (default track): what undefined results become
  --set REG=VALUE       initial register or rflags/eflags value; VALUE may be ? (undefined)
  --map ADDR:LEN[:rwx]  map zero-filled (defined) memory, default rw
  --mem ADDR=HEX        map (if needed) and fill memory
  --dump ADDR:LEN       include memory in the output
  --origin ADDR         where the code goes (default 0x1000)
  --max-steps N         step limit (default 10,000,000)`;

const stateHelp = `Registers not set start undefined (track/strict) or 0 (zero); rsp/esp points into a mapped,
undefined stack whose top holds a return address, so a top-level ret stops with reason 'return'.

Output: the stop line (reason, address, steps, message), the registers four to a row in aligned
columns (rip/eip last), the flags (CF=0 PF=? ...) and the --dump memory as hex bytes. Undefined
bits print as ? (a hex digit whose four bits are undefined), [1?01] (a digit with mixed bits) or
?? (an undefined byte). A * after a register or flag marks a value that differs from the initial
state; on a terminal changed values are highlighted, undefined bits coloured, faults red
(--color=never or NO_COLOR=1 turns colours off).

JSON (--json): one object, {"mode":64,"stop":{"reason","address","fault","message"},"steps",
"registers":{"rax":{"value":"0x3","undefined":"0x0"},...,"rip":{...}},"rflags":{...},
"memory":[{"address","bytes","undefined"}]} (eflags in 32-bit mode); see docs/cli.md.`;

/** `vial exec`: run code from a given state and print the final state. */
export const execCommand: CliCommand = {
  name: 'exec',
  summary: 'run machine code or assembly from a given state and print the final state',
  help: `Usage: vial exec [OPTIONS] (--hex HEX | --asm TEXT | --bin FILE | FILE)

Runs the code until it reaches its end, hlt, int3, a system call, a fault, a strict-mode
violation, a return from the top level, or the step limit, then prints the final state.

${execOptionsHelp}
  --json                print the final state as one JSON object

${stateHelp}

Examples:
  vial exec --hex f7f1 --set eax=7 --set ecx=2 --set edx=0
  vial exec --asm 'mov eax, 7' --asm 'xor edx, edx' --asm 'mov ecx, 2' --asm 'div ecx' --json
  vial exec --mode 32 --undefined strict --asm 'div ecx' --asm 'jc done' --asm 'done:'
  vial exec --mem 0x2000=0011aabb --dump 0x2000:4 --asm 'inc dword [0x2000]'

Exit codes: 0 the code ran (whatever the stop reason: it is in the output), 1 bad code
(assembly errors, unreadable file), 2 usage error.`,
  run: (args, out) => runProgram(args, out, false),
};

/** `vial run`: assemble a file, run it, print the final state for people. */
export const runCommand: CliCommand = {
  name: 'run',
  summary: 'assemble and run a source file, print the final state',
  help: `Usage: vial run FILE [OPTIONS]

Assembles FILE (NASM or GNU Intel syntax), runs it and prints the final state for people:
registers with undefined bits as ?, the flags, and why the run stopped. Takes the same
options as \`vial exec\`.

${execOptionsHelp}
  --json                print the final state as one JSON object (as vial exec --json)

${stateHelp}

Examples:
  vial run examples/div.asm
  vial run examples/div.asm --undefined strict
  vial run examples/div.asm --undefined zero --json

Exit codes: 0 the code ran (whatever the stop reason), 1 bad code (assembly errors,
unreadable file), 2 usage error.`,
  run: (args, out) => runProgram(args, out, true),
};
