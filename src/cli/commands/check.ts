import { parseArgs } from 'node:util';
import type { CheckReport } from '../../check/run.js';
import { parseExecutionMode, parseNumber } from '../code-input.js';
import { type CliCommand, type CliOutput, UsageError } from '../command.js';

/** Summarises a report for people: failures with reproductions, then totals. */
export function formatCheckReport(report: CheckReport, verbose: boolean): string {
  const lines: string[] = [];
  let propagated = 0,
    overApproximated = 0;
  let cases = 0,
    failed = 0,
    compared = 0,
    undefinedBits = 0,
    formsRun = 0;
  const skipped = new Map<string, string[]>();
  for (const form of report.forms) {
    if (form.skipped) {
      skipped.set(form.skipped, [...(skipped.get(form.skipped) ?? []), form.form]);
      continue;
    }
    formsRun++;
    propagated += form.propagatedBits;
    overApproximated += form.overApproximatedBits;
    cases += form.cases;
    failed += form.failedCases;
    compared += form.comparedBits;
    undefinedBits += form.undefinedBits;
    if (form.failedCases === 0) continue;
    lines.push(`FAIL ${form.form}: ${form.failedCases} of ${form.cases} cases differ from the CPU`);
    for (const failure of form.failures) {
      for (const mismatch of failure.mismatches)
        lines.push(`  ${mismatch.where}: vial ${mismatch.vm}, cpu ${mismatch.cpu}`);
      lines.push(`  reproduce: ${failure.reproduction}`);
    }
  }
  lines.push(
    `${report.mode}-bit against ${report.oracle === 'Unicorn' ? 'Unicorn' : 'the host CPU'}, seed ${report.seed}: ${formsRun} forms, ${cases} cases; ${compared} bits compared, ${undefinedBits} skipped as undefined`,
  );
  const share = propagated === 0 ? 0 : (100 * overApproximated) / propagated;
  lines.push(
    `propagation probes: ${propagated} bits undefined by propagation; ${overApproximated} (${share.toFixed(1)}%) never changed on the CPU (possible over-approximation)`,
  );
  if (verbose) {
    const loosest = report.forms
      .filter((form) => form.overApproximatedBits > 0)
      .sort((a, b) => b.overApproximatedBits / b.propagatedBits - a.overApproximatedBits / a.propagatedBits)
      .slice(0, 10)
      .map((form) => `${form.form} ${form.overApproximatedBits}/${form.propagatedBits}`);
    if (loosest.length > 0) lines.push(`most over-approximated: ${loosest.join(', ')}`);
    for (const [reason, forms] of skipped) lines.push(`not checked (${reason}): ${forms.join(', ')}`);
  } else
    lines.push(`${[...skipped.values()].flat().length} forms not checked (--verbose lists them and why)`);
  lines.push(`${cases - failed} passed, ${failed} failed`);
  return `${lines.join('\n')}\n`;
}

/** `vial check`: the VM against the host CPU. */
export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'compare the VM with the host CPU on random states, form by form',
  help: `Usage: vial check [--mode 32|64] [--instr add,div,...] [--cases N] [--seed S] [--jobs N] [--json] [--verbose]

Generates random states (registers, flags, a memory operand, edge values) for every instruction
form, runs each on vial (track policy) and on this machine's CPU, and compares every bit vial
calls defined. Mismatches are printed with a vial exec command that reproduces them.
Needs an x86-64 Linux host with gcc and ld (the oracle is built on first use). Where the host
cannot run the mode (some kernels cannot run 32-bit code), Unicorn (Debian's python3-unicorn)
is the reference instead, minus the forms Unicorn gets wrong.

Options:
  --mode 32|64     processor mode (default 64)
  --instr LIST     only these families or mnemonics (comma-separated)
  --cases N        cases per form (default 200)
  --seed S         random seed (default 1)
  --jobs N         worker threads, each with its own oracle (default 1; same report for any N)
  --json           print the full report as JSON
  --verbose        list the forms not checked, with the reason

JSON (--json): the CheckReport of src/check/run.ts as one object, bigints as 0x hex strings:
  {"mode":64,"seed":1,"oracle":"host CPU","forms":[{"form":"DIV_rm32","cases":200,
   "comparedBits":...,"undefinedBits":...,"propagatedBits":...,"overApproximatedBits":...,
   "faults":...,"failures":[{"reproduction":"vial exec ...","mismatches":[{"where","vm","cpu"}]}],
   "failedCases":0,"skipped":null}]}

Examples:
  vial check --instr div,idiv --cases 100
  vial check --instr adc --cases 20 --seed 7 --json
  vial check --instr shl,shr,sar --cases 50 --jobs 2

Exit codes: 0 no mismatch, 1 mismatches (or the host cannot run the oracle), 2 usage error.`,
  async run(args: string[], out: CliOutput): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        mode: { type: 'string', default: '64' },
        instr: { type: 'string' },
        cases: { type: 'string', default: '200' },
        seed: { type: 'string', default: '1' },
        jobs: { type: 'string', default: '1' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
      },
      strict: true,
    });
    const mode = parseExecutionMode(values.mode);
    const cases = Number(parseNumber(values.cases, '--cases'));
    if (cases < 1) throw new UsageError('--cases must be at least 1');
    const seed = Number(parseNumber(values.seed, '--seed')) >>> 0;
    const jobs = Number(parseNumber(values.jobs, '--jobs'));
    if (jobs < 1 || jobs > 16) throw new UsageError('--jobs must be between 1 and 16');
    const instructions = values.instr
      ?.split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const showProgress = !values.json && out.isTTY;
    let report: CheckReport;
    try {
      // Loaded here: the checker pulls in worker threads and the oracles, which other commands never need.
      const { runCheck } = await import('../../check/run.js');
      report = await runCheck({
        mode,
        cases,
        seed,
        jobs,
        instructions,
        onProgress: showProgress
          ? (done, total, form) => {
              const width = 30;
              const filled = Math.round((done / total) * width);
              out.stderr(
                `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${form.padEnd(28).slice(0, 28)}`,
              );
            }
          : undefined,
      });
    } catch (error) {
      out.stderr(`vial check: ${(error as Error).message}\n`);
      return 1;
    }
    if (showProgress) out.stderr('\r\x1b[K');
    if (report.forms.every((form) => form.skipped)) {
      out.stderr(
        `vial check: no form matched${values.instr ? ` --instr ${values.instr}` : ''} in ${mode}-bit mode\n`,
      );
      return 1;
    }
    out.stdout(
      values.json
        ? `${JSON.stringify(report, (_, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}\n`
        : formatCheckReport(report, values.verbose ?? false),
    );
    return report.forms.some((form) => form.failedCases > 0) ? 1 : 0;
  },
};
