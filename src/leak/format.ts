/** Human-readable reports of leak-test results. */
import type { LeakCheckResult } from './check-leak.js';

/** `1536` → `1.5 KB`; negative numbers keep their sign. Powers of 1024. */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  const units = ['B', 'KB', 'MB', 'GB'];
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${sign}${value.toFixed(digits)} ${units[unit]}`;
}

/** A multi-line report: verdict, rate, the measured series and, for a leak, the diagnosis. */
export function formatLeakReport(result: LeakCheckResult, label = 'function'): string {
  const verdict = result.leaked ? `LEAK: ${label} leaks` : `no leak: ${label} does not leak`;
  const lines = [
    `${verdict} (${result.reason}).`,
    `  rate: ${result.bytesPerIteration.toFixed(1)} B/call (heap ${result.heapBytesPerIteration.toFixed(1)}, ` +
      `external ${result.externalBytesPerIteration.toFixed(1)}); confidence ${result.confidence.toFixed(2)}; ` +
      `R² ${result.rSquared.toFixed(2)}`,
    `  ${result.warmupIterations} warm-up + ${result.iterations} measured calls in ` +
      `${(result.durationMs / 1000).toFixed(1)} s, GC via ${result.gcMethod}`,
    '  surviving memory after each batch (calls → heap + external):',
  ];
  const base = result.series[0].totalBytes;
  for (const sample of result.series) {
    const delta = sample.totalBytes - base;
    lines.push(
      `    ${String(sample.iterations).padStart(7)} → ${formatBytes(sample.heapBytes).padStart(9)} + ` +
        `${formatBytes(sample.externalBytes).padStart(9)}  (${delta >= 0 ? '+' : ''}${formatBytes(delta)})`,
    );
  }
  if (result.diagnosis) lines.push(result.diagnosis.text);
  return lines.join('\n');
}
