// The Unicorn anchor: runs a workload under Debian's python3-unicorn (unicorn_runner.py) and
// returns its timed runs. Debian's /usr/bin/python3 is used on purpose: the python3 first on PATH
// may be another installation without the module.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BUFFER_BYTES } from '../workloads/index.mjs';

const PYTHON = process.env.VIAL_BENCH_PYTHON ?? '/usr/bin/python3';
const runner = fileURLToPath(new URL('./unicorn_runner.py', import.meta.url));

/** Why the Unicorn anchor cannot run here, or null when it can. */
export function unicornMissing() {
  const probe = spawnSync(PYTHON, ['-c', 'import unicorn; print(unicorn.__version__)'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} not found (set VIAL_BENCH_PYTHON)`;
  if (probe.status !== 0)
    return `${PYTHON} has no 'unicorn' module (Debian: apt-get install python3-unicorn)`;
  return null;
}

/** Unicorn's version string (for the report). */
export function unicornVersion() {
  return spawnSync(PYTHON, ['-c', 'import unicorn; print(unicorn.__version__)'], {
    encoding: 'utf8',
  }).stdout.trim();
}

/** Runs `workload` for `iterations`, `runs` times (a fresh engine each); seconds per run and the result. */
export function runUnicorn(workload, iterations, runs) {
  const request = {
    mode: workload.mode,
    code: Buffer.from(workload.bytes).toString('hex'),
    iterations,
    runs,
    bufferBytes: BUFFER_BYTES,
  };
  const child = spawnSync(PYTHON, [runner], { input: JSON.stringify(request), encoding: 'utf8' });
  if (child.error) throw new Error(`${PYTHON}: ${child.error.message}`);
  if (child.status !== 0) throw new Error(`unicorn_runner.py failed: ${child.stderr.trim()}`);
  const answer = JSON.parse(child.stdout);
  return { seconds: answer.seconds, result: BigInt(`0x${answer.result}`) };
}
