import { parseArgs } from 'node:util';
import { liftBytes } from '../../semantics/lift.js';
import { type CodeInput, CodeInputError, codeOptions, readCode } from '../code-input.js';
import type { CliCommand, CliOutput } from '../command.js';

/** JSON.stringify replacer: IR constants are bigints, written as `0x` hex strings. */
function bigintAsHex(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `0x${value.toString(16)}` : value;
}

/** `vial lift`: machine code to expression trees. */
export const liftCommand: CliCommand = {
  name: 'lift',
  summary: 'print the semantics of instructions as expression trees',
  help: `Usage: vial lift [--mode 32|64] [--origin ADDR] [--json] (--hex HEX | --asm TEXT | --bin FILE | FILE)

Decodes the code and prints, for each instruction, the expression trees of its semantics:
what it assigns to registers, flags and memory, the exceptions it raises, and which outputs
the architecture leaves undefined (UNKNOWN()). Reads see the state before the instruction.
A subexpression used more than once is printed once as a temporary (t1 := ...).

Options:
  --hex HEX | --asm TEXT | --bin FILE | FILE   the code (as for vial exec)
  --mode 32|64       processor mode (default 64)
  --origin ADDR      address of the first instruction (default 0)
  --syntax nasm|gnu  dialect of assembly input (default: detected)
  --json             print one JSON object per instruction (JSON Lines)

JSON Lines (--json), one object per instruction:
  {"address":"0x0","bytes":"f7f1","form":"DIV_rm32","mnemonic":"div","text":"div ecx",
   "statements":["...printed statement..."],"ir":[{"kind":"assign","location":{...},
   "value":{"kind":"operation",...}}],"error":null}
"statements" are the printed lines above; "ir" is the same statements as trees (kinds assign,
store, raise, stop; expressions constant, unknown, read, load, operation, with an "id" shared
by repeated subexpressions; numbers as 0x hex strings). See docs/cli.md.

Examples:
  vial lift --asm 'div ecx'
  vial lift --mode 32 --hex d3e0
  vial lift --asm 'xor eax, eax' --asm 'sbb edx, edx'
  vial lift --asm 'add al, bl' --json

Exit codes: 0 every instruction lifted, 1 some could not be (reason printed) or bad code, 2 usage error.`,
  async run(args: string[], out: CliOutput): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      options: { ...codeOptions, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    let code: CodeInput;
    try {
      code = readCode(values, positionals, 0n);
    } catch (error) {
      if (error instanceof CodeInputError) {
        out.stderr(`${error.message}\n`);
        return 1;
      }
      throw error;
    }
    const lifted = liftBytes(code.bytes, { mode: code.mode, origin: code.origin });
    const toHex = (bytes: Uint8Array) =>
      Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
    for (const instruction of lifted) {
      if (values.json) {
        out.stdout(
          `${JSON.stringify(
            {
              address: `0x${instruction.address.toString(16)}`,
              bytes: toHex(instruction.bytes).replace(/ /g, ''),
              form: instruction.form,
              mnemonic: instruction.mnemonic,
              text: instruction.text,
              statements: instruction.lines,
              ir: instruction.statements,
              error: instruction.error,
            },
            bigintAsHex,
          )}\n`,
        );
        continue;
      }
      const heading = `0x${instruction.address.toString(16)}  ${toHex(instruction.bytes).padEnd(20)} ${instruction.text ?? instruction.mnemonic ?? '(bad)'}${instruction.form ? `  [${instruction.form}]` : ''}`;
      out.stdout(`${heading}\n`);
      if (instruction.error) out.stdout(`    error: ${instruction.error}\n`);
      for (const line of instruction.lines) out.stdout(`    ${line}\n`);
    }
    return lifted.some((instruction) => instruction.error) ? 1 : 0;
  },
};
