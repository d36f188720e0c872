import { parseArgs } from 'node:util';
import type { Machine } from '../../machine/machine.js';
import type { Value } from '../../value/value.js';
import { CodeInputError, codeOptions, readCode } from '../code-input.js';
import type { CliCommand, CliOutput } from '../command.js';
import { reportedRegisters, setUpMachine, stateOptions } from '../machine-setup.js';
import { formatState } from './exec.js';

const FLAGS = ['CF', 'PF', 'AF', 'ZF', 'SF', 'OF', 'DF'] as const;

/** Every register and flag, for spotting what one instruction changed. */
function snapshot(machine: Machine): Map<string, Value> {
  const values = new Map<string, Value>();
  for (const name of reportedRegisters[machine.mode]) values.set(name, machine.getRegister(name));
  for (const flag of FLAGS) values.set(flag, machine.getFlag(flag));
  return values;
}

function describeChange(name: string, value: Value): string {
  if (value.width === 1) return `${name}=${value.isDefined ? String(value.bits) : '?'}`;
  return `${name}=${value.toString()}`;
}

/** `vial trace`: one line per executed instruction. */
export const traceCommand: CliCommand = {
  name: 'trace',
  summary: 'run code and print each executed instruction with what it changed',
  help: `Usage: vial trace [OPTIONS] (--hex HEX | --asm TEXT | --bin FILE | FILE)

Runs the code like \`vial exec\` and prints one line per executed instruction: its address,
its disassembly, and the registers and flags it changed (undefined bits as ?). Ends with
the stop and the final state. Takes the same options as \`vial exec\`.

Examples:
  vial trace --asm 'mov eax, 7' --asm 'xor edx, edx' --asm 'mov ecx, 2' --asm 'div ecx'
  vial trace examples/div.asm --undefined strict

Exit codes: 0 the code ran (the stop reason is printed), 1 bad code, 2 usage error.`,
  async run(args: string[], out: CliOutput): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      options: { ...codeOptions, ...stateOptions },
      allowPositionals: true,
      strict: true,
    });
    try {
      const code = readCode(values, positionals, 0x1000n);
      const machine = setUpMachine(code, values);
      const limit = machine.maxSteps;
      for (;;) {
        const address = machine.getRegister(code.mode === 64 ? 'rip' : 'eip').bits;
        const text = machine.disassembleAt(address) ?? '(cannot decode)';
        const before = snapshot(machine);
        const stepsBefore = machine.steps;
        const stop = machine.run(1);
        if (machine.steps > stepsBefore) {
          const after = snapshot(machine);
          const changes = [...after]
            .filter(([name, value]) => !value.equals(before.get(name)!))
            .map(([name, value]) => describeChange(name, value));
          out.stdout(`0x${address.toString(16).padStart(8, '0')}  ${text.padEnd(28)} ${changes.join(' ')}\n`);
        }
        if (stop.reason !== 'limit' || machine.steps >= limit) {
          out.stdout(formatState(machine, stop));
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
