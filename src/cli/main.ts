/**
 * The `vial` command line (Node-only). `bin/vial.js` calls {@link main}.
 */
import { readFileSync } from 'node:fs';
import { type CliCommand, type CliOutput, UsageError } from './command.js';
import { commands } from './commands/index.js';
import { type ColorChoice, type ColorEnvironment, parseColorChoice, shouldColor } from './style.js';

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

let pipeHandlerInstalled = false;

/**
 * `vial trace … | head` closes stdout early; Node then raises EPIPE as an unhandled error with a
 * stack trace. The reader has what it wanted, so exit quietly, as Unix tools do.
 */
function exitQuietlyOnClosedPipe(): void {
  if (pipeHandlerInstalled) return;
  pipeHandlerInstalled = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

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
    'Options (any command):',
    '  -h, --help            show help (also `vial COMMAND --help` or `vial help COMMAND`)',
    '  -v, --version         print the version',
    '  --color[=WHEN]        colour the output: always, never or auto (default auto: only on a',
    '                        terminal, never when NO_COLOR is set; FORCE_COLOR=1 forces colours)',
    '',
    'Examples:',
    '  vial demo',
    "  vial exec --asm 'mov eax, 100' --asm 'xor edx, edx' --asm 'mov ecx, 7' --asm 'div ecx'",
    '  vial help trace',
    '',
    exitCodesHelp,
    '',
  ].join('\n');
}

/** The exit-code contract shared by every command (each command's help says what 1 means for it). */
export const exitCodesHelp = `Exit codes:
  0  success (for exec/run/trace: the code ran, whatever made it stop; the stop is in the output)
  1  a failure the command reports: a test failed, a leak or a mismatch was found, code did not
     assemble or lift, a file could not be read
  2  usage error: unknown command or option, bad option value, wrong arguments`;

/**
 * Takes the global `--color[=WHEN]` out of the arguments (before a `--` terminator) and returns the
 * last choice given, so it works before or after the command name.
 */
function extractColorChoice(args: string[]): { args: string[]; choice: ColorChoice } {
  let choice: ColorChoice = 'auto';
  const rest: string[] = [];
  let terminated = false;
  for (const arg of args) {
    if (!terminated && (arg === '--color' || arg.startsWith('--color='))) {
      choice = parseColorChoice(arg.slice('--color='.length));
      continue;
    }
    if (arg === '--') terminated = true;
    rest.push(arg);
  }
  return { args: rest, choice };
}

/** node:util parseArgs rejects unknown options and missing values with these codes. */
function isParseArgsError(error: unknown): error is Error {
  return error instanceof Error && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
}

/**
 * Runs the CLI with the given arguments (without `node` and the script path) and returns the exit code.
 * Errors never escape as stack traces: usage errors exit 2, anything else exits 1 with its message.
 */
export async function main(
  argv: string[],
  output: CliOutput = processOutput,
  env: ColorEnvironment = process.env,
): Promise<number> {
  if (output === processOutput) exitQuietlyOnClosedPipe();
  let extracted: ReturnType<typeof extractColorChoice>;
  try {
    extracted = extractColorChoice(argv);
  } catch (error) {
    output.stderr(`vial: ${(error as Error).message}\n`);
    return 2;
  }
  const out: CliOutput = {
    stdout: (text) => output.stdout(text),
    stderr: (text) => output.stderr(text),
    isTTY: output.isTTY,
    color: shouldColor(extracted.choice, output.isTTY, env),
  };
  const [first, ...rest] = extracted.args;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic === undefined) {
      out.stdout(overview());
      return 0;
    }
    const command = commands.find((c) => c.name === topic);
    if (!command) {
      out.stderr(
        `vial help: unknown command '${topic}'. Commands: ${commands.map((c) => c.name).join(', ')}.\n`,
      );
      return 2;
    }
    out.stdout(`${command.help.trimEnd()}\n`);
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
