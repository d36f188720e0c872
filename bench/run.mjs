#!/usr/bin/env node
// Benchmark runner: `npm run bench` runs every suite, `npm run bench -- domain isa` a selection.
// Options (arguments starting with `--`, e.g. `npm run bench -- vm --quick`) go to every suite run.
// Each suite is a script in bench/suites/ that imports the built package (dist/) and prints its figures.
// Benchmarks are not tests: they never fail on speed, they report it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const suites = {
  domain: ['domain.mjs'],
  isa: ['decoder.mjs', 'assembler.mjs'],
  vm: ['vm.mjs'],
};

const requested = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
const options = process.argv.slice(2).filter((argument) => argument.startsWith('--'));
const unknown = requested.filter((name) => !(name in suites));
if (unknown.length > 0) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; available: ${Object.keys(suites).join(', ')}`);
  process.exit(2);
}
if (!existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
let failed = false;
for (const suite of requested.length > 0 ? requested : Object.keys(suites)) {
  for (const script of suites[suite]) {
    const path = fileURLToPath(new URL(`./suites/${script}`, import.meta.url));
    if (!existsSync(path)) {
      console.log(`[${suite}] ${script}: not written yet`);
      continue;
    }
    console.log(`\n=== ${suite}: ${script} ===`);
    const result = spawnSync(process.execPath, [path, ...options], { stdio: 'inherit' });
    if (result.status !== 0) failed = true;
  }
}
process.exit(failed ? 1 : 0);
