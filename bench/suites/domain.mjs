// Value-domain benchmark: operations per second of the precise kernels (add, and, shl) on defined
// operands ("no masks": masks all zero) and on partly undefined ones ("with masks"), at 32 and 64
// bits, next to the plain JavaScript operation that `zero` mode compiles to (the floor).
// Each figure is the median of 5 runs of 2,000,000 operations over 64 pre-filled operand slots.
import { createFrame, kernels, storeBigInt } from '../../dist/index.js';

const OPERATIONS = 2_000_000;
const RUNS = 5;
const SLOTS = 64;

function fill(frame, withMasks, width) {
  let seed = 12345;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return BigInt(seed);
  };
  for (let slot = 0; slot < SLOTS; slot++) {
    const bits = BigInt.asUintN(width, (next() << 32n) | next());
    const mask = withMasks ? BigInt.asUintN(width, next() & 0x00f0n) : 0n;
    storeBigInt(frame, slot * 4, bits, mask, width);
  }
  // Shift counts live in their own slots: small defined numbers.
  for (let slot = 0; slot < SLOTS; slot++)
    storeBigInt(frame, (SLOTS + slot) * 4, BigInt(slot % width), 0n, 8);
}

function measure(body) {
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    body();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return OPERATIONS / times[Math.floor(RUNS / 2)];
}

const dst = SLOTS * 2 * 4;
const rows = [];
for (const width of [32, 64]) {
  for (const withMasks of [false, true]) {
    const frame = createFrame(SLOTS * 2 + 1);
    fill(frame, withMasks, width);
    const label = `${width}-bit ${withMasks ? 'with masks' : 'no masks'}`;
    rows.push([
      `add ${label}`,
      measure(() => {
        for (let i = 0; i < OPERATIONS; i++) {
          kernels.add(frame, dst, (i & 63) * 4, ((i + 7) & 63) * 4, kernels.NO_CARRY, width);
        }
      }),
    ]);
    rows.push([
      `and ${label}`,
      measure(() => {
        for (let i = 0; i < OPERATIONS; i++) kernels.and(frame, dst, (i & 63) * 4, ((i + 7) & 63) * 4, width);
      }),
    ]);
    rows.push([
      `shl ${label}`,
      measure(() => {
        for (let i = 0; i < OPERATIONS; i++)
          kernels.shiftLeft(frame, dst, (i & 63) * 4, (SLOTS + (i & 63)) * 4, width);
      }),
    ]);
  }
}
const plain = new Uint32Array(SLOTS + 1).map((_, i) => Math.imul(i, 2654435761));
rows.push([
  'plain JS 32-bit add (zero-mode floor)',
  measure(() => {
    for (let i = 0; i < OPERATIONS; i++) plain[SLOTS] = plain[i & 63] + plain[(i + 7) & 63];
  }),
]);

const width = Math.max(...rows.map(([name]) => name.length));
console.log(`${'operation'.padEnd(width)}  Mops/s`);
for (const [name, opsPerSecond] of rows) {
  console.log(`${name.padEnd(width)}  ${(opsPerSecond / 1e6).toFixed(1).padStart(7)}`);
}
