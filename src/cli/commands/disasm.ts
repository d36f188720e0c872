/**
 * `vial disasm`: disassembles raw bytes (a file or hex text) into an Intel-syntax listing, NASM or
 * GNU (objdump -M intel) flavour. Node-only (reads files); the disassembler is in src/disassembler.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { disassemble, type ListingLine, renderListing } from '../../disassembler/index.js';
import type { Operand } from '../../isa/index.js';
import { type CliCommand, type CliOutput, UsageError } from '../command.js';

const help = `Usage: vial disasm FILE [OPTIONS]
       vial disasm --hex HEX [OPTIONS]

Disassembles raw x86 machine code (no ELF/PE parsing: FILE holds the bytes themselves).
Each line shows the address, the bytes and the instruction; branch targets inside the listing
get labels (L_<address>:). Bytes that are not an instruction vial supports are printed as data
(db 0x0f / .byte 0xf) with the reason as a comment, and disassembly goes on.

Input:
  FILE                  a file of raw bytes
  --hex HEX             bytes as hex text: '48 01 d8', '4801d8' or '0x48,0x1,0xd8'

Options:
  --mode 16|32|64       processor mode (default 64)
  --syntax nasm|gnu     NASM style (default) or GNU objdump -M intel style
  --origin ADDR         address of the first byte (default 0), e.g. 0x401000
  --no-labels           print branch targets as addresses only
  --json                print one JSON object per line of the listing, in an array
  -h, --help            show this help

Examples:
  vial disasm --hex '48 01 d8 c3'                 # add rax, rbx / ret
  vial disasm --hex 'f3 a4' --syntax gnu          # rep movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]
  vial disasm --hex 'b8 64 00 00 00 31 d2 f7 f1' --origin 0x401000
  vial disasm --hex 'cd 10 eb fe' --mode 16 --origin 0x7c00
  vial disasm --hex '48 01 d8 0f 0b' --json

JSON (--json): an array with one object per listing line:
  {"address":"0x0","bytes":"4801d8","text":"add rax, rbx","label":null,"status":"ok",
   "form":"ADD_rm64_r64","mnemonic":"add","operands":[{"kind":"register",...},...],
   "operandSize":64,"addressSize":64}
bytes that do not decode have "status" (the decoder's reason code), "mnemonic" (or null)
and "message" instead of form/operands.

Exit codes: 0 success (undecodable bytes are listed, not an error), 1 unreadable file,
2 usage error (bad hex, bad mode, FILE and --hex together, …).`;

function parseMode(text: string | undefined): 16 | 32 | 64 {
  if (text === undefined) return 64;
  if (text === '16' || text === '32' || text === '64') return Number(text) as 16 | 32 | 64;
  throw new UsageError(`--mode must be 16, 32 or 64, not '${text}'`);
}

function parseSyntax(text: string | undefined): 'nasm' | 'gnu' {
  if (text === undefined) return 'nasm';
  if (text === 'nasm' || text === 'gnu') return text;
  throw new UsageError(`--syntax must be nasm or gnu, not '${text}'`);
}

function parseOrigin(text: string | undefined): bigint {
  if (text === undefined) return 0n;
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(text))
    throw new UsageError(`--origin must be a number such as 0x401000, not '${text}'`);
  const origin = BigInt(text);
  if (origin >= 1n << 64n) throw new UsageError(`--origin must fit in 64 bits, not '${text}'`);
  return origin;
}

/**
 * Parses hex text: whitespace or commas separate tokens; a `0x` token is one byte (`0x0` … `0xff`),
 * any other token is a run of two-digit bytes (`4801d8`).
 */
export function parseHexBytes(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const token of text.split(/[\s,]+/).filter(Boolean)) {
    const prefixed = /^0x/i.test(token);
    const digits = prefixed ? token.slice(2) : token;
    const bad = /[^0-9a-f]/i.exec(digits);
    if (bad) throw new UsageError(`--hex: '${bad[0]}' in '${token}' is not a hex digit`);
    if (prefixed) {
      if (digits.length < 1 || digits.length > 2) throw new UsageError(`--hex: '${token}' is not one byte`);
      bytes.push(Number.parseInt(digits, 16));
      continue;
    }
    if (digits.length % 2 !== 0) {
      throw new UsageError(`--hex: odd number of hex digits in '${token}'; every byte needs two digits`);
    }
    for (let i = 0; i < digits.length; i += 2) bytes.push(Number.parseInt(digits.slice(i, i + 2), 16));
  }
  return Uint8Array.from(bytes);
}

function operandJson(operand: Operand): Record<string, unknown> {
  if (operand.kind === 'immediate') return { ...operand, value: operand.value.toString() };
  if (operand.kind === 'memory') return { ...operand, displacement: operand.displacement.toString() };
  return { ...operand };
}

function lineJson(line: ListingLine): Record<string, unknown> {
  const base = {
    address: `0x${line.address.toString(16)}`,
    bytes: Array.from(line.bytes, (byte) => byte.toString(16).padStart(2, '0')).join(''),
    text: line.text,
    label: line.label,
  };
  if (line.instruction) {
    const instruction = line.instruction;
    return {
      ...base,
      status: 'ok',
      form: instruction.form.name,
      mnemonic: instruction.mnemonic,
      operands: instruction.operands.map(operandJson),
      operandSize: instruction.operandSize,
      addressSize: instruction.addressSize,
    };
  }
  const failure = line.failure!;
  return { ...base, status: failure.status, mnemonic: failure.mnemonic, message: failure.message };
}

/** The `vial disasm` command. */
export const disasmCommand: CliCommand = {
  name: 'disasm',
  summary: 'disassemble raw x86 bytes (NASM or GNU Intel syntax)',
  help,
  async run(args: string[], out: CliOutput): Promise<number> {
    let parsed: ReturnType<typeof parseArguments>;
    try {
      parsed = parseArguments(args);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const { values, positionals } = parsed;
    if (positionals.length > 1) throw new UsageError(`expected one FILE, got ${positionals.length}`);
    const file = positionals[0];
    if (file !== undefined && values.hex !== undefined)
      throw new UsageError('give either FILE or --hex, not both');
    if (file === undefined && values.hex === undefined)
      throw new UsageError('nothing to disassemble: give FILE or --hex HEX');
    const mode = parseMode(values.mode);
    const syntax = parseSyntax(values.syntax);
    const origin = parseOrigin(values.origin);
    let bytes: Uint8Array;
    if (values.hex !== undefined) {
      bytes = parseHexBytes(values.hex);
    } else {
      try {
        bytes = new Uint8Array(readFileSync(file!));
      } catch (error) {
        const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
        out.stderr(`vial disasm: cannot read '${file}' (${reason})\n`);
        return 1;
      }
    }
    const lines = disassemble(bytes, { mode, syntax, origin, labels: !values['no-labels'] });
    if (values.json) {
      out.stdout(`${JSON.stringify(lines.map(lineJson), null, 2)}\n`);
      return 0;
    }
    const lastAddress = origin + BigInt(Math.max(0, bytes.length - 1));
    const width = Math.max(8, lastAddress.toString(16).length);
    out.stdout(renderListing(lines, width));
    return 0;
  },
};

function parseArguments(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      hex: { type: 'string' },
      mode: { type: 'string' },
      syntax: { type: 'string' },
      origin: { type: 'string' },
      'no-labels': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
}
