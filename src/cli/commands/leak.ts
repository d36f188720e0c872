/**
 * `vial leak FILE`: runs the growth test (vial/leak's checkLeak) on a function exported by a module.
 */
import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { checkLeak, LeakCheckOptions, LeakProgress, LeakTestFunction } from '../../leak/check-leak.js';
import { type CliCommand, type CliOutput, UsageError } from '../command.js';

const help = `vial leak — test a function for memory leaks

Usage: vial leak FILE [options]

Loads FILE (an ES module or CommonJS file: .js, .mjs, .cjs; .ts/.mts only when your Node can load
TypeScript itself, e.g. Node >= 22.18, or with NODE_OPTIONS="--import tsx"), takes its default export
(or --export NAME), and calls it repeatedly: a warm-up, then batches of 1, 2, 4, 8, 16 × N calls with a
full garbage collection before each measurement. It reports a leak when the memory surviving GC
(V8 heap + external memory such as Buffers and WebAssembly.Memory) grows steadily with the number of
calls. Async functions are awaited one call after another. When a leak is found, two heap snapshots
name the growing constructors and show a retainer path of one leaked object.

Options:
  --export NAME        the export to test (default: the default export)
  --iterations N       calls in the first batch and the warm-up (default: fitted to the time budget)
  --batches N          measured batches, sizes doubling (default 5, at least 3)
  --threshold BYTES    smallest leak reported, in bytes per call (default 16)
  --time-budget MS     target duration before diagnosis (default 2500)
  --no-diagnose        skip the heap-snapshot diagnosis
  --json               print the full result as JSON on stdout
  --progress           show a progress bar on stderr (default: when stderr is a terminal)
  --no-progress        never show the progress bar
  -h, --help           show this help

JSON (--json): the LeakCheckResult of vial/leak (see docs/leak.md): "leaked", the fitted
"bytesPerIteration", the measured batches and, when diagnosed, the growing constructors and a
retainer path.

Examples:
  vial leak examples/leaky.mjs --time-budget 500              # exits 1: a leak is found
  vial leak examples/leaky.mjs --export tidy --time-budget 500
  vial leak examples/leaky.mjs --json --no-diagnose --time-budget 500   # exits 1

Exit codes:
  0  no leak found
  1  leak found, or bad input (missing file or export, not a function, the function threw)
  2  usage error (unknown option, bad number)
`;

function parseCount(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`--${name} expects an integer >= ${min}, got '${text}'`);
  }
  return value;
}

function parsePositive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`--${name} expects a number > 0, got '${text}'`);
  return value;
}

/** Imports FILE and returns the function to test; errors carry a message meant for the user. */
async function loadFunction(file: string, exportName: string | undefined): Promise<LeakTestFunction> {
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) throw new Error(`cannot find file '${file}'`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new Error(
        `Node ${process.version} cannot load '${extname(path)}' files directly; compile ${file} to .js/.mjs ` +
          `or run with a loader (NODE_OPTIONS="--import tsx")`,
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot load '${file}': ${message}`);
  }
  const key = exportName ?? 'default';
  const candidate = module[key];
  if (typeof candidate === 'function') return candidate as LeakTestFunction;
  const what =
    candidate === undefined
      ? exportName === undefined
        ? 'has no default export'
        : `has no export named '${exportName}'`
      : `exports '${key}' as ${article(typeof candidate)}, not a function`;
  throw new Error(`'${file}' ${what}${exportedFunctionsHint(module, exportName === undefined)}`);
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

/** "; exported functions: a, b (use --export NAME)", looking into a CommonJS `module.exports` too. */
function exportedFunctionsHint(module: Record<string, unknown>, suggestFlag: boolean): string {
  const names = new Set(Object.keys(module).filter((name) => typeof module[name] === 'function'));
  const commonJs = module.default;
  if (typeof commonJs === 'object' && commonJs !== null) {
    for (const [name, value] of Object.entries(commonJs)) if (typeof value === 'function') names.add(name);
  }
  if (names.size === 0) return '';
  return `; exported functions: ${[...names].sort().join(', ')}${suggestFlag ? ' (use --export NAME)' : ''}`;
}

/** A one-line progress bar redrawn in place on stderr. */
function progressBar(out: CliOutput): { update: (progress: LeakProgress) => void; clear: () => void } {
  const width = 30;
  let drawn = false;
  return {
    update(progress) {
      const fraction = progress.total > 0 ? Math.min(1, progress.completed / progress.total) : 0;
      const filled = Math.round(fraction * width);
      const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
      const percent = `${Math.round(fraction * 100)}`.padStart(3);
      out.stderr(
        `\r[${bar}] ${percent}% ${progress.phase.padEnd(9)} ${progress.completed}/${progress.total} calls`,
      );
      drawn = true;
    },
    clear() {
      if (drawn) out.stderr(`\r${' '.repeat(width + 50)}\r`);
    },
  };
}

/** `vial leak`: the growth test from the command line. */
export const leakCommand: CliCommand = {
  name: 'leak',
  summary: 'test a function exported by a JS module for memory leaks',
  help,
  async run(args, out) {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(args);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0 ? 'missing FILE' : `expected one FILE, got ${positionals.length}`,
      );
    }
    const options: LeakCheckOptions = {
      iterations: parseCount('iterations', values.iterations, 1),
      batches: parseCount('batches', values.batches, 3),
      thresholdBytesPerIteration: parsePositive('threshold', values.threshold),
      timeBudgetMs: parsePositive('time-budget', values['time-budget']),
      diagnose: !values['no-diagnose'],
    };
    const file = positionals[0];
    const fn = await loadFunction(file, values.export);
    const showProgress = values['no-progress'] ? false : values.progress || Boolean(process.stderr.isTTY);
    const bar = showProgress ? progressBar(out) : undefined;
    // Loaded here: the leak tester pulls in the inspector and vm modules, which other commands never need.
    const { checkLeak } = await import('../../leak/check-leak.js');
    const { formatLeakReport } = await import('../../leak/format.js');
    let result: Awaited<ReturnType<typeof checkLeak>>;
    try {
      result = await checkLeak(fn, { ...options, onProgress: bar?.update });
    } finally {
      bar?.clear();
    }
    const label = `${values.export ?? 'default export'} of ${file}`;
    out.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatLeakReport(result, label)}\n`);
    return result.leaked ? 1 : 0;
  },
};

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      export: { type: 'string' },
      iterations: { type: 'string' },
      batches: { type: 'string' },
      threshold: { type: 'string' },
      'time-budget': { type: 'string' },
      'no-diagnose': { type: 'boolean' },
      json: { type: 'boolean' },
      progress: { type: 'boolean' },
      'no-progress': { type: 'boolean' },
    },
  });
}
