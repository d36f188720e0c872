import { parseArgs } from 'node:util';
import { assembleOrThrow } from '../../assembler/assemble.js';
import { Machine } from '../../machine/machine.js';
import { ops, Undefined, Value } from '../../value/index.js';
import type { CliCommand, CliOutput } from '../command.js';
import { padVisible, styleFor } from '../style.js';

/** Rows of the value-domain tour: a description and the precise value it produces. */
function domainRows(): [string, Value][] {
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
  ];
}

/** The built-in program: the seed's example, a `div` whose flags the architecture leaves undefined. */
export const demoProgram = `; 100 / 7 with gcc's idiom: xor edx, edx makes the dividend's high half a defined 0
mov eax, 100
xor edx, edx
mov ecx, 7
div ecx          ; eax = 14, edx = 2; CF, OF, SF, ZF, AF, PF are undefined
`;

const FLAGS = [
  ['CF', 0],
  ['PF', 2],
  ['AF', 4],
  ['ZF', 6],
  ['SF', 7],
  ['OF', 11],
] as const;

/** Runs the demo program on vial (track) and, where possible, on this CPU. */
async function programSection(out: CliOutput): Promise<Record<string, unknown>> {
  const { bytes } = assembleOrThrow(demoProgram, { mode: 64, origin: 0x10000 });
  const machine = new Machine({ mode: 64, policy: 'track' });
  machine.loadCode(bytes, 0x10000n);
  const stop = machine.run();
  // Loaded here: the oracle pulls in child_process and crypto, which `vial exec` should not pay for.
  const { createHostOracle, hostOracleAvailability } = await import('../../oracle/host-oracle.js');
  const availability = hostOracleAvailability();
  let cpu: { rax: bigint; rdx: bigint; rflags: bigint } | null = null;
  if (availability.available) {
    const oracle = await createHostOracle({ mode: 64 });
    try {
      const [result] = await oracle.run([{ code: bytes, codeAddress: 0x10000n, rflags: 0x202n }]);
      cpu = { rax: result.registers.rax, rdx: result.registers.rdx, rflags: result.rflags };
    } finally {
      await oracle.close();
    }
  }
  const row = (name: string, vial: string, real: string | null) =>
    `  ${name.padEnd(4)} ${vial.padEnd(24)} ${real === null ? '' : real}\n`;
  out.stdout(`\nThe built-in program (64-bit):\n${demoProgram.replace(/^/gm, '    ').trimEnd()}\n\n`);
  out.stdout(`vial (track policy) stopped: ${stop.reason} after ${machine.steps} instructions.\n`);
  out.stdout(row('', 'vial', cpu ? 'this CPU' : null));
  const rax = machine.getRegister('rax');
  const rdx = machine.getRegister('rdx');
  out.stdout(row('rax', rax.toString(), cpu ? `0x${cpu.rax.toString(16)}` : null));
  out.stdout(row('rdx', rdx.toString(), cpu ? `0x${cpu.rdx.toString(16)}` : null));
  for (const [flag, bit] of FLAGS) {
    const value = machine.getFlag(flag).toCoarse();
    out.stdout(row(flag, String(value), cpu ? String((cpu.rflags >> BigInt(bit)) & 1n) : null));
  }
  out.stdout(
    cpu
      ? '\nThe CPU put *some* value in each undefined flag; another CPU may put another. A test that\ncompares only the bits vial calls defined passes on every x86 CPU.\n'
      : `\n(The real CPU's values are not shown: ${availability.reason ?? 'the host oracle is unavailable'}.)\n`,
  );
  return {
    program: demoProgram,
    stop: stop.reason,
    vial: {
      rax: rax.toJSON(),
      rdx: rdx.toJSON(),
      flags: Object.fromEntries(FLAGS.map(([f]) => [f, String(machine.getFlag(f).toCoarse())])),
    },
    cpu: cpu
      ? {
          rax: `0x${cpu.rax.toString(16)}`,
          rdx: `0x${cpu.rdx.toString(16)}`,
          rflags: `0x${cpu.rflags.toString(16)}`,
        }
      : null,
  };
}

/** `vial demo`: the built-in example. */
export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'show undefined values at work on a built-in example',
  help: `Usage: vial demo [--json]

Runs vial's built-in example: the seed's coarse Undefined (every operation on it is
Undefined, even x*0) next to vial's precise values, where each bit is defined or undefined
('?' in the output); then a small program with div, run on vial with the undefined flags
shown, and — on an x86-64 Linux host with gcc — on this CPU, side by side.

Options:
  --json   print the results as JSON: {"domain":[{"name","value","undefined","width","text"}],
           "program":{"program","stop","vial":{"rax","rdx","flags"},"cpu":{...}|null}}

Examples:
  vial demo
  vial demo --json

Exit codes: 0 success, 2 usage error.`,
  async run(args: string[], out: CliOutput): Promise<number> {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true });
    const rows = domainRows();
    if (values.json) {
      const silent: CliOutput = { stdout: () => {}, stderr: () => {}, isTTY: false };
      const program = await programSection(silent);
      const domain = rows.map(([name, value]) => ({ name, ...value.toJSON(), text: value.toString() }));
      out.stdout(`${JSON.stringify({ domain, program })}\n`);
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
    const style = styleFor(out.color);
    for (const [name, value] of rows) {
      out.stdout(
        `  ${name.padEnd(width)}  ${padVisible(style.value(value.toString()), 22)} coarse: ${String(value.toCoarse())}\n`,
      );
    }
    await programSection(out);
    return 0;
  },
};
