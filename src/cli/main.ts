/**
 * The `vial` command line (Node-only). `bin/vial.js` calls {@link main}.
 */
import { readFileSync } from 'node:fs';
import { type CliCommand, type CliOutput, UsageError } from './command.js';
import { commands } from './commands/index.js';

/** The package version, read from package.json so there is one source of truth. */
export function packageVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

const processOutput: CliOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
};

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'vial — an x86 virtual machine for testing assembly code, with first-class undefined values.',
    '',
    'Usage: vial COMMAND [OPTIONS]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help     show help (also `vial COMMAND --help`)',
    '  -v, --version  print the version',
    '',
    'Exit codes: 0 success, 1 failure reported by the command (test failed, leak found, bad input), 2 usage error.',
    '',
  ].join('\n');
}

/** node:util parseArgs rejects unknown options and missing values with these codes. */
function isParseArgsError(error: unknown): error is Error {
  return error instanceof Error && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
}

/**
 * Runs the CLI with the given arguments (without `node` and the script path) and returns the exit code.
 * Errors never escape as stack traces: usage errors exit 2, anything else exits 1 with its message.
 */
export async function main(argv: string[], out: CliOutput = processOutput): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    const command = topic === undefined ? undefined : commands.find((c) => c.name === topic);
    out.stdout(command ? `${command.help.trimEnd()}\n` : overview());
    return 0;
  }
  if (first === '-v' || first === '--version') {
    out.stdout(`${packageVersion()}\n`);
    return 0;
  }
  const command: CliCommand | undefined = commands.find((c) => c.name === first);
  if (!command) {
    out.stderr(`vial: unknown command '${first}'. Commands: ${commands.map((c) => c.name).join(', ')}.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out.stdout(`${command.help.trimEnd()}\n`);
    return 0;
  }
  try {
    return await command.run(rest, out);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      out.stderr(`vial ${command.name}: ${error.message}\n(see \`vial ${command.name} --help\`)\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    out.stderr(`vial ${command.name}: ${message}\n`);
    return 1;
  }
}
