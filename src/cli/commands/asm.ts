/**
 * `vial asm`: assembles NASM or GNU Intel-syntax source to bytes (hex, listing or a raw binary file).
 * Node-only (reads and writes files); the assembler itself is in src/assembler.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { type AssemblyResult, assemble, formatDiagnostic } from '../../assembler/index.js';
import { type CliCommand, type CliOutput, UsageError } from '../command.js';

const help = `Usage: vial asm FILE [OPTIONS]
       vial asm --asm TEXT [--asm TEXT …] [OPTIONS]

Assembles Intel-syntax x86 code, NASM style or GNU as style (.intel_syntax noprefix, as
gcc -S -masm=intel writes it), with the encodings that dialect's own assembler picks.

Input:
  FILE               a source file
  --asm TEXT         source text; give --asm several times for several lines, or write \\n
                     between instructions (';' starts a comment in NASM syntax, so it cannot
                     separate instructions there)

Options:
  --mode 16|32|64    initial mode (default 64; 'bits'/'.code32' in the source change it)
  --syntax nasm|gnu  dialect (default: gnu if the source has .intel_syntax, else nasm)
  --origin ADDR      address of the first byte (default 0; NASM 'org' overrides it)
  --format FORMAT    hex (default), listing, or bin (raw bytes; needs -o)
  -o, --output OUT   write the output to OUT (only when assembly succeeds; never a partial file)
  --json             print bytes, sections, symbols and errors as JSON
  -h, --help         show this help

Examples:
  vial asm --asm 'mov rax, 1'                  # b8 01 00 00 00 (NASM's choice)
  vial asm --syntax gnu --asm 'mov rax, 1'     # 48 c7 c0 01 00 00 00 (GNU as's choice)
  vial asm --asm 'xor eax, eax\\nret'
  vial asm --asm 'bits 32' --asm 'push ebp' --asm 'mov ebp, esp'
  vial asm examples/div.asm --format listing
  vial asm examples/div.asm --format bin -o div.bin
  vial asm examples/div.asm --json

Errors are printed as FILE:LINE:COLUMN: message, every error of the run at once.

JSON (--json): one object, printed also when assembly fails (then "ok" is false):
  {"ok":true,"dialect":"nasm","origin":"0x0","bytes":"b801000000",
   "sections":[{"name":".text","address":"0x0","size":5,"nobits":false}],
   "symbols":[{"name":"start","value":"0x0","section":".text","global":false}],
   "errors":[{"line":1,"column":5,"message":"..."}]}

Exit codes: 0 success, 1 assembly errors (or an unreadable/unwritable file), 2 usage error.`;

function parseMode(text: string | undefined): 16 | 32 | 64 {
  if (text === undefined) return 64;
  if (text === '16' || text === '32' || text === '64') return Number(text) as 16 | 32 | 64;
  throw new UsageError(`--mode must be 16, 32 or 64, not '${text}'`);
}

function parseOrigin(text: string | undefined): bigint {
  if (text === undefined) return 0n;
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(text))
    throw new UsageError(`--origin must be a number such as 0x401000, not '${text}'`);
  return BigInt(text);
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

function symbolTable(result: AssemblyResult): string {
  const rows = result.symbols
    .filter((symbol) => symbol.section !== null)
    .map(
      (symbol) =>
        `  ${symbol.value.toString(16).padStart(8, '0')}  ${(symbol.section ?? '').padEnd(10)}  ${symbol.name}`,
    );
  return rows.length === 0 ? '' : `\nSymbols:\n${rows.join('\n')}\n`;
}

function toJson(result: AssemblyResult): string {
  return `${JSON.stringify(
    {
      ok: result.errors.length === 0,
      dialect: result.dialect,
      origin: `0x${result.origin.toString(16)}`,
      bytes: Buffer.from(result.bytes).toString('hex'),
      sections: result.sections.map((section) => ({
        name: section.name,
        address: `0x${section.address.toString(16)}`,
        size: section.bytes.length,
        nobits: section.nobits,
      })),
      symbols: result.symbols.map((symbol) => ({
        name: symbol.name,
        value: `0x${BigInt.asUintN(64, symbol.value).toString(16)}`,
        section: symbol.section,
        global: symbol.global,
      })),
      errors: result.errors,
    },
    null,
    2,
  )}\n`;
}

/** Writes `data` to `path` through a temporary file renamed into place, so a failed run leaves nothing half-written. */
function writeAtomically(path: string, data: string | Uint8Array): void {
  const temporary = mkdtempSync(join(dirname(path), '.vial-asm-'));
  const file = join(temporary, 'output');
  try {
    writeFileSync(file, data);
    renameSync(file, path);
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
}

/** `vial asm`. */
export const asmCommand: CliCommand = {
  name: 'asm',
  summary: 'assemble NASM or GNU Intel-syntax x86 code to bytes',
  help,
  async run(args: string[], out: CliOutput): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        asm: { type: 'string', multiple: true },
        mode: { type: 'string' },
        syntax: { type: 'string' },
        origin: { type: 'string' },
        format: { type: 'string' },
        output: { type: 'string', short: 'o' },
        json: { type: 'boolean' },
      },
    });
    const texts = values.asm ?? [];
    if (positionals.length > 1) throw new UsageError(`expected one source file, got ${positionals.length}`);
    if (positionals.length === 1 && texts.length > 0)
      throw new UsageError('give a FILE or --asm TEXT, not both');
    if (positionals.length === 0 && texts.length === 0)
      throw new UsageError('nothing to assemble: give a FILE or --asm TEXT');
    const syntax = values.syntax;
    if (syntax !== undefined && syntax !== 'nasm' && syntax !== 'gnu')
      throw new UsageError(`--syntax must be nasm or gnu, not '${syntax}'`);
    const format = values.format ?? 'hex';
    if (format !== 'hex' && format !== 'listing' && format !== 'bin')
      throw new UsageError(`--format must be hex, listing or bin, not '${format}'`);
    if (format === 'bin' && values.output === undefined)
      throw new UsageError('--format bin writes raw bytes and needs -o OUT');
    const fileName = positionals[0] ?? '<asm>';
    let source: string;
    if (positionals.length === 1) {
      try {
        source = readFileSync(positionals[0], 'utf8');
      } catch (error) {
        throw new Error(`cannot read ${positionals[0]}: ${(error as Error).message}`);
      }
    } else {
      source = texts.map((text) => text.replace(/\\n/g, '\n')).join('\n');
    }
    const result = assemble(source, {
      mode: parseMode(values.mode),
      syntax: syntax ?? 'auto',
      origin: parseOrigin(values.origin),
      listing: format === 'listing',
    });
    if (values.json) out.stdout(toJson(result));
    if (result.errors.length > 0) {
      for (const error of result.errors)
        out.stderr(`${fileName}:${formatDiagnostic(error).replace(/^line /, '')}\n`);
      out.stderr(`${result.errors.length} error${result.errors.length === 1 ? '' : 's'}; nothing written\n`);
      return 1;
    }
    const rendered: string | Uint8Array =
      format === 'bin'
        ? result.bytes
        : format === 'listing'
          ? `${result.listing ?? ''}${symbolTable(result)}`
          : `${hexBytes(result.bytes)}\n`;
    if (values.output !== undefined) writeAtomically(values.output, rendered);
    else if (!values.json) out.stdout(rendered as string);
    return 0;
  },
};
