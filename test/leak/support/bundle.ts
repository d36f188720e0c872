/**
 * Bundles vial/leak from source into a temporary .mjs file (with esbuild, a devDependency), so that
 * worker threads, child processes and `node --test` can load it without a build step.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const entry = fileURLToPath(new URL('../../../src/leak/index.ts', import.meta.url));

/** A temporary directory holding `leak.mjs` (the bundle); write helper scripts next to it. */
export async function bundleLeakModule(): Promise<string> {
  const directory = mkdtempSync(join(tmpdir(), 'vial-leak-'));
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: join(directory, 'leak.mjs'),
    logLevel: 'silent',
  });
  return directory;
}

/** Writes `source` to `name` in `directory` and returns its path. */
export function writeScript(directory: string, name: string, source: string): string {
  const path = join(directory, name);
  writeFileSync(path, source);
  return path;
}
