import { parseArgs } from 'node:util';
import { ops, Undefined, Value } from '../../value/index.js';
import type { CliCommand, CliOutput } from '../command.js';

/** Rows of the demo: a description and the precise value it produces. */
function demoRows(): [string, Value][] {
  const unknownByte = Value.unknown(8);
  const halfKnown = Value.of(0x12, 16, 0x00ff); // high byte 0x00 defined, low byte unknown
  const rax = Value.of(0x1122334455667788n, 64, 0xffn);
  return [
    ['UNKNOWN() (8 bits)', unknownByte],
    ['x & 0x0f        (x unknown)', unknownByte.and(0x0f)],
    ['x | 0xf0        (x unknown)', unknownByte.or(0xf0)],
    ['x * 0           (seed: Undefined)', unknownByte.mul(0)],
    ['x << 4          (x unknown)', unknownByte.shl(4)],
    ['0x1000 + ??     (16-bit)', Value.of(0x1000, 16).add(Value.of(0, 16, 0x00f0))],
    ['carry of 0x10 + 0x?? (8-bit)', Value.of(0x10, 8).addCarry(Value.of(0, 8, 0x0f))],
    ['AX = 0x00?? -> AH', halfKnown.extract(8, 8)],
    ['AX = 0x00?? -> AL', halfKnown.extract(0, 8)],
    ['RAX with unknown AL -> EAX', rax.extract(0, 32)],
    ['... -> sign-extend AH', rax.extract(8, 8).signExtend(32)],
  ];
}

/** `vial demo`: the built-in example (for now, a tour of the value domain). */
export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'show undefined values at work on a built-in example',
  help: `Usage: vial demo [--json]

Runs vial's built-in example and prints the result. It shows the seed's coarse
Undefined (every operation on it is Undefined, even x*0) next to vial's precise
values, where each bit is defined or undefined ('?' in the output).

Options:
  --json   print the rows as JSON

Examples:
  vial demo
  vial demo --json

Exit codes: 0 success, 2 usage error.`,
  async run(args: string[], out: CliOutput): Promise<number> {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true });
    const rows = demoRows();
    if (values.json) {
      out.stdout(
        `${JSON.stringify(rows.map(([name, value]) => ({ name, ...value.toJSON(), text: value.toString() })))}\n`,
      );
      return 0;
    }
    out.stdout("The seed's coarse view: any operation on Undefined is Undefined.\n");
    out.stdout(`  Undefined + 1 = ${ops.add(Undefined, 1)}\n`);
    out.stdout(`  Undefined * 0 = ${ops.mul(Undefined, 0)}   (a real CPU computes 0)\n`);
    out.stdout(`  Undefined - Undefined = ${ops.sub(Undefined, Undefined)}\n\n`);
    out.stdout(
      "vial's precise view: each bit is defined or undefined (? = unknown hex digit, [..] = mixed bits).\n",
    );
    const width = Math.max(...rows.map(([name]) => name.length));
    for (const [name, value] of rows) {
      out.stdout(
        `  ${name.padEnd(width)}  ${value.toString().padEnd(22)} coarse: ${String(value.toCoarse())}\n`,
      );
    }
    return 0;
  },
};
