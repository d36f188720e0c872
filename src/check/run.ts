/**
 * `vial check`: random differential testing of the VM against the host CPU, form by form (Node-only:
 * it drives the host oracle). Every defined bit must agree; bits the VM calls undefined are counted,
 * so a VM that calls everything undefined cannot pass silently.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { instructionForms } from '../isa/catalog.js';
import type { InstructionForm } from '../isa/spec.js';
import { createHostOracle, type HostOracle, probeHostOracle } from '../oracle/host-oracle.js';
import type { NativeCase, NativeResult, RegisterName as OracleRegister } from '../oracle/types.js';
import { createUnicornOracle, unicornOracleAvailability } from '../oracle/unicorn-oracle.js';
import { semanticsByFamily } from '../semantics/index.js';
import { type Comparison, compareWithCpu, type Mismatch, reproduction } from './compare.js';
import {
  type CheckCase,
  CheckRandom,
  CODE_ADDRESS,
  DATA_ADDRESS,
  DATA_SIZE,
  generateCase,
} from './generate.js';
import { judgeProbe, makeProbe } from './propagation.js';

/** CPU runs per propagation probe, each with the undefined input bits re-randomised. */
const PROBE_VARIANTS = 6;

/** The reference `check` compares with. */
export type OracleName = 'host CPU' | 'Unicorn';

/**
 * Forms whose *defined* results Unicorn 2.0.1 gets wrong (docs/host-cpu.md, "Unicorn as the 32-bit
 * oracle"): checked against Unicorn they would report Unicorn's bugs, not vial's.
 */
const unicornKnownBugs: Readonly<Record<string, string>> = {
  popcnt: 'Unicorn raises #UD for popcnt',
  movbe: 'Unicorn raises #UD for movbe',
  bzhi: 'Unicorn takes the bzhi index modulo 32',
  bextr: 'Unicorn mishandles bextr fields beyond 32 bits',
  blsi: 'Unicorn computes blsi CF inverted (silicon agrees with vial in 64-bit)',
  pdep: 'Unicorn swaps the pdep source and mask (silicon agrees with vial in 64-bit)',
  pext: 'Unicorn swaps the pext source and mask (silicon agrees with vial in 64-bit)',
};

/** Why Unicorn cannot judge `form`, or null. */
function unicornBug(form: InstructionForm): string | null {
  // F6 /1 and F7 /1 are undocumented aliases of TEST that CPUs execute (checked on this host in
  // 64-bit mode); Unicorn raises #UD.
  if (/_F[67]r1$/.test(form.name)) return 'Unicorn raises #UD for the F6 /1 and F7 /1 aliases of test';
  return unicornKnownBugs[form.family.family] ?? null;
}

/** The host CPU where it can run `mode`; otherwise Unicorn (this host's kernel cannot run 32-bit code). */
export async function chooseOracle(mode: 32 | 64): Promise<{ oracle: HostOracle; name: OracleName }> {
  const host = await probeHostOracle(mode);
  if (host.available) return { oracle: await createHostOracle({ mode }), name: 'host CPU' };
  const unicorn = unicornOracleAvailability();
  if (unicorn.available) return { oracle: await createUnicornOracle({ mode }), name: 'Unicorn' };
  throw new Error(`no oracle for ${mode}-bit code: ${host.reason}; Unicorn: ${unicorn.reason}`);
}

/** Families `check` leaves out, and why (the issue excludes int n, syscall, sysenter, cpuid, rdtsc). */
export const familiesNotChecked: Readonly<Record<string, string>> = {
  int: 'makes a system call',
  syscall: 'makes a system call',
  sysenter: 'makes a system call',
  cpuid: 'answers from a CPU profile',
  rdtsc: 'reads a clock',
  jcc: 'control flow (tested by the machine tests)',
  jmp: 'control flow (tested by the machine tests)',
  call: 'control flow (tested by the machine tests)',
  ret: 'control flow (tested by the machine tests)',
  loop: 'control flow (tested by the machine tests)',
  jcxz: 'control flow (tested by the machine tests)',
  hlt: 'stops the machine',
  int3: 'stops the machine',
  ud2: 'raises #UD by definition',
  xlat: 'reads memory at rBX + AL',
};

/** CPUID features of the forms, mapped to the /proc/cpuinfo flags that advertise them. */
const cpuinfoFlag: Readonly<Record<string, string>> = {
  BMI1: 'bmi1',
  BMI2: 'bmi2',
  ADX: 'adx',
  MOVBE: 'movbe',
  POPCNT: 'popcnt',
  LZCNT: 'abm',
  'SSE4.2': 'sse4_2',
  CMPXCHG16B: 'cx16',
};

function hostFlags(): Set<string> {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    return new Set((line ?? '').split(':')[1]?.trim().split(/\s+/) ?? []);
  } catch {
    return new Set();
  }
}

/** Options of {@link runCheck}. */
export interface CheckOptions {
  readonly mode: 32 | 64;
  /** Only these families or mnemonics (default: all). */
  readonly instructions?: readonly string[];
  /** Cases per form (default 200). */
  readonly cases?: number;
  readonly seed?: number;
  /** Propagation probes per form (default 8; 0 turns them off). */
  readonly probes?: number;
  /** Worker threads, each with its own oracle process (default 1). The report does not depend on it. */
  readonly jobs?: number;
  /** Check only the forms whose index is `index` modulo `count` (how workers split the work). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Called after each form with (forms done, forms in total). */
  readonly onProgress?: (done: number, total: number, form: string) => void;
}

/** What happened to one form. */
export interface FormReport {
  readonly form: string;
  readonly cases: number;
  readonly comparedBits: number;
  readonly undefinedBits: number;
  /** Bits the VM called undefined by propagation in the probes (see `propagation.ts`). */
  readonly propagatedBits: number;
  /** Of those, bits that never changed on the CPU: a sampled measure of over-approximation. */
  readonly overApproximatedBits: number;
  readonly faults: number;
  /** Up to three failing cases, each with its reproduction. */
  readonly failures: readonly { readonly reproduction: string; readonly mismatches: readonly Mismatch[] }[];
  readonly failedCases: number;
  /** Why no case was run, if none was. */
  readonly skipped: string | null;
}

/** The whole run. */
export interface CheckReport {
  readonly mode: 32 | 64;
  readonly seed: number;
  /** What the VM was compared with. */
  readonly oracle: OracleName;
  readonly forms: readonly FormReport[];
}

/** Chooses the forms to check in `mode`, with the reason for each one left out. */
export function formsToCheck(
  mode: 32 | 64,
  instructions?: readonly string[],
): { form: InstructionForm; skip: string | null }[] {
  const flags = hostFlags();
  const wanted = instructions?.map((name) => name.toLowerCase());
  return instructionForms()
    .filter((form) => form.modes.includes(mode))
    .filter((form) => !wanted || wanted.includes(form.family.family) || wanted.includes(form.mnemonic))
    .map((form) => {
      const family = form.family.family;
      let skip: string | null = null;
      if (!semanticsByFamily.has(family)) skip = 'no semantics yet';
      else if (familiesNotChecked[family]) skip = familiesNotChecked[family];
      else if (form.feature && cpuinfoFlag[form.feature] && !flags.has(cpuinfoFlag[form.feature])) {
        skip = `the host does not advertise ${form.feature}`;
      } else if (form.lockable && form.operands.length === 0) skip = null;
      return { form, skip };
    });
}

function nativeCase(testCase: CheckCase): NativeCase {
  const registers: Partial<Record<OracleRegister, bigint>> = {};
  for (const [name, value] of testCase.registers) {
    registers[(testCase.mode === 64 ? name : `r${name.slice(1)}`) as OracleRegister] = value;
  }
  registers.rsp = DATA_ADDRESS + BigInt(DATA_SIZE);
  return {
    code: testCase.code,
    codeAddress: CODE_ADDRESS,
    registers,
    rflags: testCase.rflags,
    memory: [{ address: DATA_ADDRESS, bytes: testCase.data, writable: true }],
  };
}

function cpuOutcome(result: NativeResult) {
  const fault = result.status === 'completed' ? null : (result.fault?.vector ?? result.status);
  return {
    fault,
    registers: result.registers,
    rflags: result.rflags,
    data: result.memory[0]?.bytes ?? new Uint8Array(DATA_SIZE),
  };
}

/** The report of a form no case was run for, and why. */
function notChecked(form: InstructionForm, reason: string): FormReport {
  return {
    form: form.name,
    cases: 0,
    comparedBits: 0,
    undefinedBits: 0,
    propagatedBits: 0,
    overApproximatedBits: 0,
    faults: 0,
    failures: [],
    failedCases: 0,
    skipped: reason,
  };
}

/** Runs the check: for every selected form, `cases` random cases on the VM and on the CPU. */
export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  const jobs = Math.max(1, Math.min(options.jobs ?? 1, 16));
  if (jobs > 1 && !options.shard && existsSync(fileURLToPath(WORKER_SCRIPT)))
    return runInWorkers(options, jobs);
  const seed = options.seed ?? 1;
  const shard = options.shard;
  const selected = formsToCheck(options.mode, options.instructions).filter(
    (_, index) => !shard || index % shard.count === shard.index,
  );
  const { oracle, name: oracleName } = await chooseOracle(options.mode);
  const reports: FormReport[] = [];
  try {
    for (const { form, skip: reason } of selected) {
      const skip = reason ?? (oracleName === 'Unicorn' ? unicornBug(form) : null);
      reports.push(skip ? notChecked(form, skip) : await checkForm(form, oracle, seed, options));
      if (!skip) options.onProgress?.(reports.length, selected.length, form.name);
    }
  } finally {
    await oracle.close();
  }
  return { mode: options.mode, seed, oracle: oracleName, forms: reports };
}

/** The worker that runs one shard of the forms (built next to this module, and into the bundle). */
const WORKER_SCRIPT = new URL('./check-worker.js', import.meta.url);

/**
 * `jobs` worker threads, each checking every jobs-th form with its own oracle process; the report
 * is the one a single thread would make (each form's cases depend only on the seed and its name).
 */
async function runInWorkers(options: CheckOptions, jobs: number): Promise<CheckReport> {
  const total = formsToCheck(options.mode, options.instructions).length;
  let done = 0;
  const { onProgress, ...plain } = options;
  const shards = await Promise.all(
    Array.from(
      { length: jobs },
      (_, index) =>
        new Promise<CheckReport>((resolve, reject) => {
          const worker = new Worker(WORKER_SCRIPT, {
            workerData: { ...plain, jobs: 1, shard: { index, count: jobs } },
          });
          worker.on(
            'message',
            (message: { kind: 'progress'; form: string } | { kind: 'report'; report: CheckReport }) => {
              if (message.kind === 'progress') onProgress?.(++done, total, message.form);
              else resolve(message.report);
            },
          );
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (code !== 0) reject(new Error(`check worker ${index} stopped with exit code ${code}`));
          });
        }),
    ),
  );
  const forms = Array.from(
    { length: total },
    (_, index) => shards[index % jobs].forms[Math.floor(index / jobs)],
  );
  return { mode: options.mode, seed: shards[0].seed, oracle: shards[0].oracle, forms };
}

/** One form: its cases on the VM and on the oracle, compared, and its propagation probes. */
async function checkForm(
  form: InstructionForm,
  oracle: HostOracle,
  seed: number,
  options: CheckOptions,
): Promise<FormReport> {
  const casesPerForm = options.cases ?? 200;
  const probesPerForm = options.probes ?? 8;
  const rng = new CheckRandom(seed ^ hashName(form.name));
  const cases: CheckCase[] = [];
  let lastFailure = '';
  for (let attempt = 0; cases.length < casesPerForm && attempt < casesPerForm * 20; attempt++) {
    const generated = generateCase(rng, form, options.mode);
    if ('skipped' in generated) lastFailure = generated.skipped;
    else cases.push(generated);
  }
  if (cases.length === 0) return notChecked(form, lastFailure);
  const results = await oracle.run(cases.map(nativeCase));
  let comparedBits = 0,
    undefinedBits = 0,
    faults = 0,
    failedCases = 0;
  const failures: { reproduction: string; mismatches: readonly Mismatch[] }[] = [];
  cases.forEach((testCase, index) => {
    const comparison: Comparison = compareWithCpu(testCase, cpuOutcome(results[index]));
    comparedBits += comparison.comparedBits;
    undefinedBits += comparison.undefinedBits;
    if (results[index].status !== 'completed') faults++;
    if (comparison.mismatches.length > 0) {
      failedCases++;
      if (failures.length < 3)
        failures.push({ reproduction: reproduction(testCase), mismatches: comparison.mismatches });
    }
  });
  // Propagation probes: soundness with undefined inputs, and over-approximation (sampled).
  const probes = cases
    .filter((_, index) => results[index].status === 'completed')
    .slice(0, probesPerForm)
    .map((testCase) => makeProbe(rng, testCase, PROBE_VARIANTS))
    .filter((probe) => probe !== null);
  const probeResults = await oracle.run(probes.flatMap((probe) => probe.variants.map(nativeCase)));
  let propagatedBits = 0,
    overApproximatedBits = 0;
  probes.forEach((probe, index) => {
    const outcomes = probeResults.slice(index * PROBE_VARIANTS, (index + 1) * PROBE_VARIANTS).map(cpuOutcome);
    const verdict = judgeProbe(probe, outcomes);
    propagatedBits += verdict.propagatedBits;
    overApproximatedBits += verdict.overApproximatedBits;
    if (verdict.mismatches.length > 0) {
      failedCases++;
      if (failures.length < 3)
        failures.push({ reproduction: reproduction(probe.testCase), mismatches: verdict.mismatches });
    }
  });
  return {
    form: form.name,
    cases: cases.length,
    comparedBits,
    undefinedBits,
    propagatedBits,
    overApproximatedBits,
    faults,
    failures,
    failedCases,
    skipped: null,
  };
}

function hashName(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
