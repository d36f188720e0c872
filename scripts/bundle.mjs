#!/usr/bin/env node
// Bundles the package's entry points (after `tsc`) into dist/bundle/ with esbuild, code shared between
// them split into common chunks — so `import('vial')` reads a few files instead of ~150 and every
// entry point still shares one copy of each class (a `Value` from `vial` is a `Value` to
// `vial/matchers`). Start-up time is a feature (the performance issue: import < 50 ms). Node-only
// entries keep `node:` imports external; the bundle lives two levels below the package root, like
// the modules it replaces, so `import.meta.url`-relative paths (package.json, the oracle's C
// sources) still resolve.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names are content hashes: clear the old ones so the package ships only the current build.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: {
    index: 'dist/index.js',
    leak: 'dist/leak/index.js',
    oracle: 'dist/oracle/index.js',
    matchers: 'dist/matchers/index.js',
    'node-test': 'dist/matchers/node-test.js',
    cli: 'dist/cli/main.js',
    // `vial check --jobs N` starts it by URL, next to the code that does (src/check/run.ts).
    'check-worker': 'dist/check/check-worker.js',
  },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
