// VM benchmark: MIPS (millions of guest instructions per second) of six self-checking workloads
// (alu, mem, call × 64/32-bit, bench/workloads/) on vial in `zero` and `track` policy, next to the
// same machine code natively, under qemu-user, under Unicorn and under v86 (32-bit only).
// Instructions are counted by construction (bench/workloads/index.mjs); every vial run also checks
// that `machine.steps` equals that count. Every result is checked against the native CPU or the
// workload's JavaScript model. Writes bench/results/vm-latest.json and .md.
//
// Usage: npm run bench -- vm [--quick]
//   --quick                 one run, short vial runs, a tenth of v86's and Unicorn's counts:
//                           a smoke test, not figures to compare
//   VIAL_BENCH_RUNS=N       runs per figure (median; default 3, --quick 1)
//   VIAL_BENCH_SECONDS=S    target seconds of one vial run (default 1.5, --quick 0.2)
//   VIAL_BENCH_PYTHON=PATH  the Python with the `unicorn` module (default /usr/bin/python3)
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { ElfBuilder, elfToolsMissing, runElf } from '../anchors/elf.mjs';
import { runUnicorn, unicornMissing, unicornVersion } from '../anchors/unicorn.mjs';
import { buildV86Kernel, runV86, V86_KERNEL_OVERHEAD, v86Missing, v86Version } from '../anchors/v86.mjs';
import { calibrateVial, measureStartup, runVial } from '../anchors/vial.mjs';
import { median } from '../lib/median.mjs';
import { markdownReport, printReport } from '../lib/vm-report.mjs';
import { workloads } from '../workloads/index.mjs';

// The 1-minute load at the start and the end: on a shared box it says how much to trust the figures.
const loadAtStart = loadavg()[0];
const flags = process.argv.slice(2);
const unknownFlags = flags.filter((flag) => flag !== '--quick');
if (unknownFlags.length > 0) {
  console.error(
    `vm: unknown option(s) ${unknownFlags.join(' ')}; accepted: --quick (and env VIAL_BENCH_RUNS, VIAL_BENCH_SECONDS)`,
  );
  process.exit(2);
}
const quick = flags.includes('--quick');

function positiveNumber(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!(value > 0)) {
    console.error(`vm: ${name}=${text} is not a positive number`);
    process.exit(2);
  }
  return value;
}
const runs = Math.max(1, Math.round(positiveNumber('VIAL_BENCH_RUNS', quick ? 1 : 3)));
const vialSeconds = positiveNumber('VIAL_BENCH_SECONDS', quick ? 0.2 : 1.5);
/** v86 and Unicorn run a tenth of their counts in --quick mode. */
const anchorScale = quick ? 0.1 : 1;
/** Unicorn is much slower on memory and calls than on ALU code: its counts are capped by time. */
const unicornSeconds = quick ? 0.2 : 1;

const hex = (value) => `0x${value.toString(16)}`;
const errorText = (error) => (error instanceof Error ? error.message : String(error));
const progress = (text) => process.stderr.write(`  ${text}\n`);

// ---- which anchors can run here --------------------------------------------------------------

const elf = new ElfBuilder();
const toolsMissing = elfToolsMissing();

/** Why native `mode`-bit code cannot run here, or null: probed by running a 0-iteration workload. */
function nativeMissing(mode) {
  if (toolsMissing) return toolsMissing;
  const probe = workloads.find((workload) => workload.mode === mode);
  let executable;
  try {
    executable = elf.build(probe, 0);
  } catch (error) {
    return `cannot build a ${mode}-bit ELF: ${errorText(error)}`;
  }
  try {
    runElf(executable, mode);
    return null;
  } catch (error) {
    return mode === 32 ? `this kernel cannot run 32-bit code (${errorText(error)})` : errorText(error);
  }
}

function qemuMissing(mode) {
  if (toolsMissing) return toolsMissing;
  const launcher = mode === 64 ? 'qemu-x86_64' : 'qemu-i386';
  const probe = spawnSync(launcher, ['--version'], { encoding: 'utf8' });
  return probe.error ? `${launcher} is not installed (Debian: apt-get install qemu-user)` : null;
}

const missing = {
  native: { 64: nativeMissing(64), 32: nativeMissing(32) },
  qemu: { 64: qemuMissing(64), 32: qemuMissing(32) },
  unicorn: unicornMissing(),
  v86: v86Missing() ?? (toolsMissing ? `${toolsMissing} (the v86 kernel is built with nasm)` : null),
};

const firstLine = (command, args) =>
  spawnSync(command, args, { encoding: 'utf8' }).stdout?.split('\n')[0].trim() ?? '';
const versions = { node: process.version };
if (!missing.qemu[64])
  versions['qemu-user'] = firstLine('qemu-x86_64', ['--version']).replace(/^qemu-x86_64 version /, '');
if (!missing.unicorn) versions.unicorn = unicornVersion();
if (!missing.v86) versions.v86 = v86Version();
if (!toolsMissing) versions.nasm = firstLine('nasm', ['-v']).replace(/^NASM version /, '');

// ---- self-check -----------------------------------------------------------------------------

const expectedCache = new Map();

/**
 * The expected result of `workload` after `iterations`: the JavaScript model when it is cheap (or the
 * count small), else the native CPU running the same bytes; null when neither is possible.
 */
function expectedResult(workload, iterations) {
  const key = `${workload.name}-${iterations}`;
  if (!expectedCache.has(key)) {
    let expected = null;
    if (workload.modelIsFast || workload.instructions(iterations) <= 50e6)
      expected = workload.model(iterations);
    else if (!missing.native[workload.mode])
      expected = runElf(elf.build(workload, iterations), workload.mode).result;
    expectedCache.set(key, expected);
  }
  return expectedCache.get(key);
}

/** A table cell: MIPS from a median time, or a wrong-result cell when the result disagrees. */
function cell(workload, iterations, instructions, seconds, result) {
  const expected = expectedResult(workload, iterations);
  if (expected !== null && expected !== result) {
    return {
      status: 'wrong',
      reason: `${iterations} iterations gave ${hex(result)}, expected ${hex(expected)}`,
    };
  }
  const medianSeconds = median(seconds);
  return {
    status: 'ok',
    mips: instructions / medianSeconds / 1e6,
    medianSeconds,
    seconds,
    instructions,
    iterations,
    result: hex(result),
    checked: expected !== null,
  };
}

const skipped = (reason) => ({ status: 'skipped', reason });
const guarded = (body) => {
  try {
    return body();
  } catch (error) {
    return skipped(`failed: ${errorText(error)}`);
  }
};

// ---- runners --------------------------------------------------------------------------------

function measureVial(workload, policy) {
  const iterations = calibrateVial(workload, policy, vialSeconds);
  const seconds = [];
  let result = 0n;
  for (let run = 0; run < runs; run++) {
    const outcome = runVial(workload, policy, iterations);
    if (outcome.steps !== workload.instructions(iterations)) {
      return {
        status: 'wrong',
        reason: `machine.steps ${outcome.steps} ≠ ${workload.instructions(iterations)} by construction`,
      };
    }
    seconds.push(outcome.seconds);
    result = outcome.result;
  }
  return cell(workload, iterations, workload.instructions(iterations), seconds, result);
}

/** Native or qemu-user: process wall time at n iterations minus at 0 iterations (start-up, wrapper). */
function measureElf(workload, launcher) {
  // Full counts even with --quick: these runs are short, and smaller ones drown in start-up noise.
  const iterations = workload.anchorIterations;
  const full = elf.build(workload, iterations);
  const empty = elf.build(workload, 0);
  const fullSeconds = [];
  const emptySeconds = [];
  let result = 0n;
  for (let run = 0; run < runs; run++) {
    const outcome = runElf(full, workload.mode, launcher);
    fullSeconds.push(outcome.seconds);
    result = outcome.result;
    emptySeconds.push(runElf(empty, workload.mode, launcher).seconds);
  }
  const startup = median(emptySeconds);
  const net = fullSeconds.map((seconds) => seconds - startup);
  if (median(net) <= 0) return skipped(`too fast to time (${median(fullSeconds)} s with start-up)`);
  const instructions = workload.instructions(iterations) - workload.instructions(0);
  return { ...cell(workload, iterations, instructions, net, result), startupSeconds: startup };
}

function measureUnicorn(workload) {
  const probeIterations = Math.max(1, Math.round(workload.anchorIterations / 300));
  const probe = runUnicorn(workload, probeIterations, 1);
  const mips = workload.instructions(probeIterations) / probe.seconds[0] / 1e6;
  const byTime = Math.round((mips * 1e6 * unicornSeconds) / workload.perIteration);
  const iterations = Math.max(1, Math.min(Math.round(workload.anchorIterations * anchorScale), byTime));
  const outcome = runUnicorn(workload, iterations, runs);
  return cell(workload, iterations, workload.instructions(iterations), outcome.seconds, outcome.result);
}

function measureV86(workload) {
  const kernel = buildV86Kernel(workload, elf.directory);
  const iterations = Math.round(workload.anchorIterations * anchorScale);
  const warmup = Math.round(iterations / 4);
  const seconds = [];
  let result = 0n;
  for (let run = 0; run < runs; run++) {
    const outcome = runV86(kernel, warmup, iterations);
    const warmupExpected = expectedResult(workload, warmup);
    if (warmupExpected !== null && outcome.warmupResult !== warmupExpected) {
      return {
        status: 'wrong',
        reason: `warm-up gave ${hex(outcome.warmupResult)}, expected ${hex(warmupExpected)}`,
      };
    }
    seconds.push(outcome.seconds);
    result = outcome.result;
  }
  return cell(workload, iterations, workload.instructions(iterations) + V86_KERNEL_OVERHEAD, seconds, result);
}

// ---- the run --------------------------------------------------------------------------------

console.log(
  `VM benchmark${quick ? ' (--quick smoke run: small counts, figures not for comparison)' : ''}: ` +
    `${runs} run(s) per figure, vial runs of ~${vialSeconds} s`,
);
const rows = [];
for (const workload of workloads) {
  progress(`${workload.name}…`);
  const runners = {};
  runners.vialZero = guarded(() => measureVial(workload, 'zero'));
  runners.vialTrack = guarded(() => measureVial(workload, 'track'));
  const nativeReason = missing.native[workload.mode];
  runners.native = nativeReason ? skipped(nativeReason) : guarded(() => measureElf(workload, null));
  const qemuReason = missing.qemu[workload.mode];
  const launcher = workload.mode === 64 ? 'qemu-x86_64' : 'qemu-i386';
  runners.qemu = qemuReason ? skipped(qemuReason) : guarded(() => measureElf(workload, launcher));
  runners.unicorn = missing.unicorn ? skipped(missing.unicorn) : guarded(() => measureUnicorn(workload));
  if (workload.mode === 64)
    runners.v86 = { status: 'n/a', reason: 'v86 emulates a 32-bit PC (no long mode)' };
  else runners.v86 = missing.v86 ? skipped(missing.v86) : guarded(() => measureV86(workload));
  rows.push({ name: workload.name, kind: workload.kind, mode: workload.mode, runners });
}

/** The JavaScript models against the CPU at a small count: the models are what checks 32-bit runs. */
const modelChecks = workloads
  .filter((workload) => !missing.native[workload.mode])
  .map((workload) => {
    const native = runElf(elf.build(workload, 1000), workload.mode).result;
    return { workload: workload.name, iterations: 1000, agrees: native === workload.model(1000) };
  });

/** vial's assembler against nasm on the workload sources: the bytes every runner executes. */
const assemblerChecks = toolsMissing
  ? []
  : workloads.map((workload) => ({ workload: workload.name, nasmAgrees: elf.nasmAgrees(workload) }));

progress('start-up…');
const startupRuns = quick ? 3 : 7;
let startup = null;
try {
  startup = { ...measureStartup(startupRuns), runs: startupRuns };
} catch (error) {
  progress(`start-up not measured: ${errorText(error)}`);
}
elf.dispose();

const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
const results = {
  date: new Date().toISOString(),
  quick,
  runs,
  vialTargetSeconds: vialSeconds,
  countedBy: 'construction (per-iteration × iterations + prologue); vial runs also compare machine.steps',
  host: {
    cpu: cpuModel,
    cores: cpus().length,
    kernel: release(),
    node: process.version,
    loadAverage: { start: loadAtStart, end: loadavg()[0] },
  },
  versions,
  modelChecks,
  assemblerChecks,
  workloads: rows,
  startup,
};

printReport(results);
const disagreeing = modelChecks.filter((check) => !check.agrees).map((check) => check.workload);
console.log(
  modelChecks.length === 0
    ? '\nJavaScript models: not checked against a native CPU (none can run here)'
    : `\nJavaScript models vs the native CPU at 1000 iterations: ${disagreeing.length === 0 ? `agree (${modelChecks.map((check) => check.workload).join(', ')})` : `DISAGREE on ${disagreeing.join(', ')}`}`,
);
const nasmDisagrees = assemblerChecks.filter((check) => !check.nasmAgrees).map((check) => check.workload);
console.log(
  assemblerChecks.length === 0
    ? 'workload bytes: not compared with nasm (not installed)'
    : `workload bytes, vial's assembler vs nasm: ${nasmDisagrees.length === 0 ? 'identical' : `DIFFER on ${nasmDisagrees.join(', ')}`}`,
);

const resultsDirectory = new URL('../results/', import.meta.url);
mkdirSync(resultsDirectory, { recursive: true });
writeFileSync(new URL('vm-latest.json', resultsDirectory), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(new URL('vm-latest.md', resultsDirectory), markdownReport(results));
console.log('wrote bench/results/vm-latest.json and vm-latest.md');

const wrong = rows.some((row) => Object.values(row.runners).some((runner) => runner.status === 'wrong'));
process.exit(wrong || disagreeing.length > 0 || nasmDisagrees.length > 0 ? 1 : 0);
