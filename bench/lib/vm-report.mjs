// Rendering of the VM benchmark's results: the console table, the must-bars and the Markdown
// report (the JSON report is the results object itself).

/** The runners, in table order: column key and heading. */
export const RUNNERS = [
  ['vialZero', 'vial zero'],
  ['vialTrack', 'vial track'],
  ['native', 'native'],
  ['qemu', 'qemu-user'],
  ['unicorn', 'Unicorn'],
  ['v86', 'v86'],
];

const formatMips = (cell) => {
  if (!cell) return '–';
  if (cell.status === 'ok') return cell.mips >= 100 ? cell.mips.toFixed(0) : cell.mips.toFixed(2);
  if (cell.status === 'wrong') return 'WRONG RESULT';
  return cell.status === 'n/a' ? 'n/a' : 'skipped';
};

const ratio = (a, b) => (a?.status === 'ok' && b?.status === 'ok' ? a.mips / b.mips : null);
const formatRatio = (value) =>
  value === null ? '–' : value >= 0.1 ? value.toFixed(2) : value.toPrecision(2);

/** The ratios the issue asks for, per workload: vial-zero/v86, vial-zero/native, vial-track/vial-zero. */
export function ratiosOf(row) {
  return {
    zeroOverV86: ratio(row.runners.vialZero, row.runners.v86),
    zeroOverNative: ratio(row.runners.vialZero, row.runners.native),
    trackOverZero: ratio(row.runners.vialTrack, row.runners.vialZero),
  };
}

/** One workload's row of the MIPS table: its name, each runner's MIPS, then the three ratios. */
function mipsRow(row) {
  const r = ratiosOf(row);
  return [
    row.name,
    ...RUNNERS.map(([key]) => formatMips(row.runners[key])),
    formatRatio(r.zeroOverV86),
    formatRatio(r.zeroOverNative),
    formatRatio(r.trackOverZero),
  ];
}

/**
 * The must-bars (reported, never failing): vial zero ≥ 25 % of v86 on every x86 (32-bit) workload,
 * ≥ 200 MIPS on every x86-64 workload, track within 3× of zero; and the start-up goals.
 */
export function checkBars(results) {
  const bars = [];
  for (const row of results.workloads) {
    const zero = row.runners.vialZero;
    const { zeroOverV86, trackOverZero } = ratiosOf(row);
    if (row.mode === 32) {
      bars.push({
        bar: `${row.name}: zero ≥ 25% of v86`,
        met: zeroOverV86 === null ? null : zeroOverV86 >= 0.25,
        actual: zeroOverV86 === null ? 'no figure' : `${(zeroOverV86 * 100).toFixed(1)}%`,
      });
    } else {
      bars.push({
        bar: `${row.name}: zero ≥ 200 MIPS`,
        met: zero?.status === 'ok' ? zero.mips >= 200 : null,
        actual: zero?.status === 'ok' ? `${zero.mips.toFixed(2)} MIPS` : 'no figure',
      });
    }
    bars.push({
      bar: `${row.name}: track within 3× of zero`,
      met: trackOverZero === null ? null : trackOverZero >= 1 / 3,
      actual:
        trackOverZero === null ? 'no figure' : `track takes ${(1 / trackOverZero).toFixed(2)}× zero's time`,
    });
  }
  const startup = results.startup;
  if (startup) {
    bars.push({
      bar: "import('vial') < 50 ms",
      met: startup.importMs < 50,
      actual: `${startup.importMs.toFixed(1)} ms`,
    });
    bars.push({
      bar: '`vial exec --hex 90` < 150 ms',
      met: startup.execWallMs < 150,
      actual: `${startup.execWallMs.toFixed(1)} ms`,
    });
  }
  return bars;
}

const metText = (met) => (met === null ? 'unknown' : met ? 'met' : 'NOT met');

/** The console report: MIPS table, ratios, skipped anchors with reasons, bars. */
export function printReport(results, log = console.log) {
  const headings = [
    'workload',
    ...RUNNERS.map(([, heading]) => heading),
    'zero/v86',
    'zero/native',
    'track/zero',
  ];
  const rows = results.workloads.map(mipsRow);
  const widths = headings.map((heading, column) =>
    Math.max(heading.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells) => cells.map((cell, column) => cell.padStart(widths[column])).join('  ');
  log(`\nMIPS (millions of guest instructions per second), median of ${results.runs} run(s)`);
  log(line(headings));
  for (const row of rows) log(line(row));
  log('');
  for (const note of notesOf(results)) log(note);
  log('\nmust-bars (reported, never failing):');
  for (const bar of checkBars(results)) log(`  ${metText(bar.met).padEnd(8)} ${bar.bar}: ${bar.actual}`);
}

/** One line per anchor and reason that did not produce a figure (naming the workloads it hit). */
function notesOf(results) {
  const byNote = new Map();
  for (const row of results.workloads) {
    for (const [key, heading] of RUNNERS) {
      const cell = row.runners[key];
      if (!cell || cell.status === 'ok' || cell.status === 'n/a') continue;
      const note = `${heading}: ${cell.status === 'wrong' ? 'WRONG RESULT' : 'skipped'}: ${cell.reason}`;
      byNote.set(note, [...(byNote.get(note) ?? []), row.name]);
    }
  }
  return [...byNote].map(([note, names]) => `${note} [${names.join(', ')}]`);
}

/**
 * A Markdown table with padded columns (the first left-aligned, the rest right-aligned), laid out
 * as Biome formats Markdown, so the generated report passes `npm run lint` unchanged.
 */
function markdownTable(headings, rows) {
  const widths = headings.map((heading, column) =>
    Math.max(3, heading.length, ...rows.map((row) => row[column].length)),
  );
  const pad = (cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]));
  const line = (cells) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = widths.map((width, column) =>
    column === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`,
  );
  return [line(headings), `| ${rule.join(' | ')} |`, ...rows.map(line)];
}

/** The Markdown report (bench/results/vm-latest.md; docs/performance.md quotes one). */
export function markdownReport(results) {
  const out = [];
  out.push(`# VM benchmark — ${results.date}`, '');
  const { host } = results;
  const load = host.loadAverage
    ? `; 1-minute load average ${host.loadAverage.start.toFixed(2)} at the start, ${host.loadAverage.end.toFixed(2)} at the end`
    : '';
  out.push(`Host: ${host.cpu}, ${host.cores} cores, Linux ${host.kernel}, Node ${host.node}${load}.`);
  const versions = Object.entries(results.versions).map(([name, version]) => `${name} ${version}`);
  out.push(`Anchors: ${versions.join(', ')}.`);
  const quickNote = results.quick ? ' (--quick: small counts, not for comparison)' : '';
  out.push(`Median of ${results.runs} run(s)${quickNote}.`, '');
  const headings = RUNNERS.map(([, heading]) => heading);
  const mipsRows = results.workloads.map(mipsRow);
  out.push(...markdownTable(['workload', ...headings, 'zero/v86', 'zero/native', 'track/zero'], mipsRows));
  out.push(
    '',
    "Instructions per run (exact, by construction; vial's `machine.steps` agreed on every vial run):",
    '',
  );
  const countRows = results.workloads.map((row) => [
    row.name,
    ...RUNNERS.map(([key]) =>
      row.runners[key]?.status === 'ok' ? row.runners[key].instructions.toLocaleString('en-US') : '–',
    ),
  ]);
  out.push(...markdownTable(['workload', ...headings], countRows));
  const notes = notesOf(results);
  if (notes.length > 0) out.push('', ...notes.map((note) => `- ${note}`));
  out.push(
    '',
    'Self-checks: every figure above comes from a run whose result equals the expected one ' +
      "(the native CPU at the same count, or the workload's JavaScript model).",
  );
  const models = results.modelChecks ?? [];
  if (models.length > 0) {
    const wrongModels = models.filter((check) => !check.agrees).map((check) => check.workload);
    const verdict = wrongModels.length === 0 ? 'agree on all' : `DISAGREE on ${wrongModels.join(', ')}`;
    const names = models.map((check) => check.workload).join(', ');
    out.push(`JavaScript models vs the native CPU at 1000 iterations: ${verdict} (${names}).`);
  }
  const assembled = results.assemblerChecks ?? [];
  if (assembled.length > 0) {
    const differing = assembled.filter((check) => !check.nasmAgrees).map((check) => check.workload);
    const verdict = differing.length === 0 ? 'identical for all six' : `DIFFER on ${differing.join(', ')}`;
    out.push(`Workload bytes, vial's assembler vs nasm: ${verdict}.`);
  }
  if (results.startup) {
    const s = results.startup;
    out.push(
      '',
      `Start-up (median of ${s.runs}): \`import('vial')\` ${s.importMs.toFixed(1)} ms over a bare ` +
        `\`node -e ""\` (${s.bareNodeMs.toFixed(1)} ms); \`vial exec --hex 90\` ${s.execWallMs.toFixed(1)} ms wall.`,
    );
  }
  out.push('', 'Must-bars (reported, never failing):', '');
  for (const bar of checkBars(results)) out.push(`- ${metText(bar.met)}: ${bar.bar} (${bar.actual})`);
  return `${out.join('\n')}\n`;
}
