/**
 * The VM against the host CPU: a fixed-seed sweep of every checkable form in both modes, with zero
 * mismatches on defined bits. VIAL_CHECK_CASES changes the cases per form (default 200).
 */
import { expect, it } from 'vitest';
import { formsToCheck, runCheck } from '../../src/check/run.js';
import { formatCheckReport } from '../../src/cli/commands/check.js';
import { probeHostOracle } from '../../src/oracle/host-oracle.js';
import { unicornOracleAvailability } from '../../src/oracle/unicorn-oracle.js';
import { describeWithHostOracle } from '../oracle/support.js';
import { describeWithTool } from '../support/tools.js';

const casesPerForm = Number(process.env.VIAL_CHECK_CASES ?? 200);

/** The host CPU where it runs the mode; else Unicorn, which must then be installed (CI installs it). */
async function describeWithOracle(mode: 32 | 64, name: string, body: () => void): Promise<void> {
  if (mode === 64 || (await probeHostOracle(mode)).available) return describeWithHostOracle(mode, name, body);
  describeWithTool(
    'python3-unicorn',
    unicornOracleAvailability().available,
    `${name} (against Unicorn)`,
    body,
  );
}

for (const mode of [64, 32] as const) {
  await describeWithOracle(mode, `vial check: VM vs the reference, ${mode}-bit`, () => {
    it(`every checkable form, ${casesPerForm} cases each, no mismatch on defined bits`, async () => {
      const report = await runCheck({ mode, cases: casesPerForm, seed: 1 });
      const run = report.forms.filter((form) => !form.skipped);
      const text = formatCheckReport(report, false);
      expect(
        run.filter((form) => form.failedCases > 0).map((form) => form.form),
        text,
      ).toEqual([]);
      // The sweep must be broad and must compare real bits, not call everything undefined.
      expect(run.length).toBeGreaterThan(mode === 64 ? 450 : 300);
      const compared = run.reduce((sum, form) => sum + form.comparedBits, 0);
      const skipped = run.reduce((sum, form) => sum + form.undefinedBits, 0);
      expect(skipped).toBeLessThan(compared / 50);
      for (const form of run) expect(form.cases, form.form).toBe(casesPerForm);
      // Propagation probes ran (undefined inputs, re-randomised on the reference) and found no unsound bit.
      const propagated = run.reduce((sum, form) => sum + form.propagatedBits, 0);
      const overApproximated = run.reduce((sum, form) => sum + form.overApproximatedBits, 0);
      expect(propagated).toBeGreaterThan(1000);
      expect(overApproximated).toBeLessThan(propagated);
    }, 300_000);
  });
}

await describeWithHostOracle(64, 'vial check finds bugs', () => {
  it('finds a planted bug: a wrong semantics is reported with a reproduction', async () => {
    const { semanticsByFamily } = await import('../../src/semantics/index.js');
    const table = semanticsByFamily as Map<
      string,
      (c: import('../../src/semantics/index.js').SemanticsContext) => void
    >;
    const original = table.get('not')!;
    table.set('not', (c) => c.write(0, c.read(0))); // "not" that does nothing
    try {
      const report = await runCheck({ mode: 64, cases: 20, instructions: ['not'] });
      const failing = report.forms.filter((form) => form.failedCases > 0);
      expect(failing.length).toBeGreaterThan(0);
      expect(failing[0].failures[0].reproduction).toMatch(/^vial exec --mode 64 .*--hex /);
    } finally {
      table.set('not', original);
    }
  }, 60_000);
});

it('every form is either checked or has a stated reason', () => {
  for (const mode of [32, 64] as const) {
    for (const { form, skip } of formsToCheck(mode)) {
      if (skip !== null) expect(skip.length, form.name).toBeGreaterThan(0);
    }
  }
});

await describeWithHostOracle(64, 'vial check --jobs (worker threads, through the built CLI)', () => {
  it('splits the forms over workers and reports exactly what one thread reports', async () => {
    const { execFileSync } = await import('node:child_process');
    const binary = new URL('../../bin/vial.js', import.meta.url).pathname;
    const check = (jobs: string) =>
      execFileSync(
        process.execPath,
        [binary, 'check', '--instr', 'add,shl,div,bsf', '--cases', '40', '--jobs', jobs, '--json'],
        { encoding: 'utf8' },
      );
    const single = JSON.parse(check('1')) as { forms: { form: string; cases: number }[] };
    expect(JSON.parse(check('3'))).toEqual(single);
    expect(single.forms.length).toBeGreaterThan(10);
    expect(single.forms.every((form) => form.cases === 40 || form.cases === 0)).toBe(true);
  }, 120_000);
});
