// The vial runner: a workload on `Machine` from dist/ in a given undefined-value policy, and the
// start-up figures (package import time, `vial exec` wall time).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Machine, Permission } from '../../dist/index.js';
import { median } from '../lib/median.mjs';
import { BUFFER_BYTES } from '../workloads/index.mjs';

const CODE_ADDRESS = 0x10000n;
const BUFFER_ADDRESS = 0x100000n;
const STACK_BASE = 0x200000n;
const STACK_BYTES = 0x10000;

/**
 * Runs `workload` for `iterations` on a fresh vial Machine in `policy`; returns the seconds spent in
 * `machine.run()` (set-up excluded), the result register and `machine.steps`. Throws when the machine
 * stops for any reason but reaching the end of the code.
 */
export function runVial(workload, policy, iterations) {
  const is64 = workload.mode === 64;
  const machine = new Machine({ mode: workload.mode, policy, maxSteps: Number.MAX_SAFE_INTEGER });
  machine.loadCode(workload.bytes, CODE_ADDRESS);
  machine.memory.map(BUFFER_ADDRESS, BUFFER_BYTES, Permission.read | Permission.write, 'zero');
  machine.memory.map(STACK_BASE, STACK_BYTES, Permission.read | Permission.write, 'zero');
  machine.setRegister(is64 ? 'rcx' : 'ecx', iterations);
  machine.setRegister(is64 ? 'rsi' : 'esi', BUFFER_ADDRESS);
  machine.setRegister(is64 ? 'rsp' : 'esp', STACK_BASE + BigInt(STACK_BYTES) - 64n);
  const start = process.hrtime.bigint();
  const stop = machine.run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (stop.reason !== 'end') throw new Error(`vial ${workload.name} (${policy}) stopped: ${stop.message}`);
  const value = machine.getRegister(is64 ? 'rax' : 'eax');
  if (!value.isDefined)
    throw new Error(`vial ${workload.name} (${policy}): the result has undefined bits: ${value}`);
  return { seconds, result: value.bits, steps: machine.steps };
}

/**
 * Picks vial's iteration count for `workload` so a run in `policy` takes about `targetSeconds`:
 * a short probe run measures the speed, then the count is scaled (MIPS is per instruction, so the
 * count may differ from the anchors' as long as it is exact).
 */
export function calibrateVial(workload, policy, targetSeconds) {
  let iterations = Math.max(1, Math.round(200_000 / workload.perIteration));
  for (;;) {
    const { seconds } = runVial(workload, policy, iterations);
    const scaled = Math.max(1, Math.round((iterations * targetSeconds) / Math.max(seconds, 1e-6)));
    // Short probes underestimate a compiling VM (compile time and JIT tier-up weigh more in them), so
    // grow the probe, at most 16× per step, until one takes half the target; its speed then holds.
    if (seconds >= targetSeconds / 2 || iterations * 16 > 2 ** 31) return Math.min(scaled, 2 ** 31);
    iterations = Math.min(scaled, iterations * 16);
  }
}

const root = fileURLToPath(new URL('../../', import.meta.url));

function wallMilliseconds(args, runs) {
  const times = [];
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint();
    const child = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (child.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${child.stderr}`);
  }
  return median(times);
}

/**
 * Start-up figures, median of `runs` child processes each: `node -e "import('vial')"` minus a bare
 * `node -e ""` (the package's own import cost) and the wall time of `node bin/vial.js exec --hex 90`.
 */
export function measureStartup(runs) {
  const bareNode = wallMilliseconds(['-e', ''], runs);
  const importTotal = wallMilliseconds(['-e', "import('vial')"], runs);
  const execWall = wallMilliseconds(['bin/vial.js', 'exec', '--hex', '90'], runs);
  return {
    bareNodeMs: bareNode,
    importMs: importTotal - bareNode,
    importWallMs: importTotal,
    execWallMs: execWall,
  };
}
