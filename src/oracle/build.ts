/**
 * Builds the native runner on first use and caches the binary.
 *
 * Sources live in `src/oracle/native/` and are found next to this module (`./native/`, when running
 * from `src/` or when the build copies them into `dist/oracle/native/`) or, from `dist/oracle/`, at
 * `../../src/oracle/native/` (when the package ships that folder), or at `$VIAL_ORACLE_SOURCES`
 * (for bundles). The binary is cached under
 * `$VIAL_CACHE_DIR`, else `$XDG_CACHE_HOME/vial`, else `~/.cache/vial` (falling back to the system
 * temporary folder), as `oracle/runner-<mode>-<hash>`, where the hash covers the sources and the build
 * commands: editing a source rebuilds, and concurrent builds cannot see a half-written file because
 * each builds in a private temporary folder and renames the result into place.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { OracleMode } from './types.js';

const run = promisify(execFile);

const COMMON_SOURCES = ['runner.c', 'arch.h'];
const STUBS: Record<OracleMode, string> = { 64: 'stubs-x86_64.S', 32: 'stubs-i386.S' };
const LINKER_EMULATION: Record<OracleMode, string> = { 64: 'elf_x86_64', 32: 'elf_i386' };
const C_FLAGS = [
  '-O2',
  '-ffreestanding',
  '-fno-stack-protector',
  '-fno-pie',
  '-fno-builtin',
  '-fno-asynchronous-unwind-tables',
  '-mgeneral-regs-only',
  '-nostdlib',
  '-Wall',
  '-Wextra',
];

/** Thrown when the runner cannot be built; the message includes the compiler's output. */
export class RunnerBuildError extends Error {
  override name = 'RunnerBuildError';
}

/** The folder holding the runner's C and assembly sources, or undefined if it cannot be found. */
export function findRunnerSources(): string | undefined {
  const candidates = [
    process.env.VIAL_ORACLE_SOURCES, // for bundles, where import.meta.url points elsewhere
    fileURLToPath(new URL('./native/', import.meta.url)),
    fileURLToPath(new URL('../../src/oracle/native/', import.meta.url)),
  ];
  for (const folder of candidates) {
    if (folder && existsSync(join(folder, 'runner.c'))) return folder;
  }
  return undefined;
}

function cacheRoot(): string {
  if (process.env.VIAL_CACHE_DIR) return process.env.VIAL_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'vial');
}

async function writableFolder(folder: string): Promise<string | undefined> {
  try {
    await mkdir(folder, { recursive: true });
    return folder;
  } catch {
    return undefined;
  }
}

function buildCommands(
  mode: OracleMode,
  sources: string,
  output: string,
  work: string,
): [string, string[]][] {
  const object = join(work, 'runner.o');
  const stubs = join(work, 'stubs.o');
  return [
    ['gcc', [`-m${mode}`, ...C_FLAGS, '-c', join(sources, 'runner.c'), '-o', object]],
    ['gcc', [`-m${mode}`, '-c', join(sources, STUBS[mode]), '-o', stubs]],
    ['ld', ['-m', LINKER_EMULATION[mode], '-static', '-o', output, object, stubs]],
  ];
}

async function sourceHash(mode: OracleMode, sources: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of [...COMMON_SOURCES, STUBS[mode]]) {
    hash
      .update(name)
      .update('\0')
      .update(await readFile(join(sources, name)))
      .update('\0');
  }
  hash.update(JSON.stringify(buildCommands(mode, '', 'out', '')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Returns the path of a runner binary for `mode`, building it if the cache has none for the current
 * sources.
 * @throws RunnerBuildError if the sources are missing or the compiler or linker fails.
 */
export async function ensureRunnerBinary(mode: OracleMode): Promise<string> {
  const sources = findRunnerSources();
  if (!sources) {
    throw new RunnerBuildError(
      'the oracle runner sources (src/oracle/native/runner.c) were not found next to the oracle module; ' +
        'a packaged vial must ship src/oracle/native or copy it to dist/oracle/native',
    );
  }
  const hash = await sourceHash(mode, sources);
  const folder =
    (await writableFolder(join(cacheRoot(), 'oracle'))) ??
    (await writableFolder(join(tmpdir(), `vial-${process.getuid?.() ?? 'user'}`, 'oracle')));
  if (!folder)
    throw new RunnerBuildError('no writable cache folder for the oracle runner (set VIAL_CACHE_DIR)');
  const binary = join(folder, `runner-${mode}-${hash}`);
  try {
    await access(binary);
    return binary;
  } catch {
    // Not built yet.
  }
  const work = await mkdtemp(join(folder, `.build-${mode}-`));
  try {
    const output = join(work, 'runner');
    for (const [command, args] of buildCommands(mode, sources, output, work)) {
      try {
        await run(command, args, { timeout: 60_000 });
      } catch (error) {
        const details = error as { stderr?: string; message: string };
        throw new RunnerBuildError(
          `building the ${mode}-bit oracle runner failed: ${command} ${args.join(' ')}\n${details.stderr || details.message}`,
        );
      }
    }
    await rename(output, binary);
    return binary;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
