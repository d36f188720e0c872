// Decoder throughput (instructions/s) on a realistic mix: the .text section of real x86-64 binaries
// on this machine (compiler output: mov/lea/call/jcc heavy, some SSE, NOP padding), decoded linearly
// the way the VM's block decoder does. Also the 32-bit and 16-bit decoders on random valid
// instructions, and the GNU printer for scale. Run: npm run build && npm run bench -- isa
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { decodeInstruction, formatInstruction } from '../../dist/index.js';

/** The bytes of an ELF64 file's .text section (minimal parser: section headers + name table). */
function elfText(path) {
  const file = readFileSync(path);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (view.getUint32(0) !== 0x7f454c46 || file[4] !== 2) return null;
  const sectionOffset = Number(view.getBigUint64(0x28, true));
  const entrySize = view.getUint16(0x3a, true);
  const count = view.getUint16(0x3c, true);
  const namesIndex = view.getUint16(0x3e, true);
  const header = (index) => sectionOffset + index * entrySize;
  const namesOffset = Number(view.getBigUint64(header(namesIndex) + 0x18, true));
  for (let index = 0; index < count; index++) {
    const base = header(index);
    let nameStart = namesOffset + view.getUint32(base, true);
    let name = '';
    while (file[nameStart] !== 0) name += String.fromCharCode(file[nameStart++]);
    if (name === '.text') {
      const offset = Number(view.getBigUint64(base + 0x18, true));
      const size = Number(view.getBigUint64(base + 0x20, true));
      return new Uint8Array(file.buffer, file.byteOffset + offset, size);
    }
  }
  return null;
}

/** Decodes `bytes` start to end once; returns the number of decode calls (instructions or failures). */
function decodeLinear(bytes, mode) {
  let offset = 0;
  let count = 0;
  while (offset < bytes.length) {
    const result = decodeInstruction(bytes, offset, mode);
    offset += result.status === 'ok' || result.lengthKnown ? result.length : 1;
    count++;
  }
  return count;
}

/**
 * Rate of decodeLinear over `bytes`: warm-up first (JIT), then `rounds` timed rounds of at least
 * `roundMs` each. Prints the median wall-clock rate, the best round, and the median rate per second of
 * CPU time used by this process (process.cpuUsage): the machine is shared, and under contention the
 * CPU-time rate is the one that says how fast the decoder itself is.
 */
function measure(label, bytes, mode, rounds = 7, roundMs = 300) {
  for (let warm = performance.now(); performance.now() - warm < 500; ) decodeLinear(bytes, mode);
  const rates = [];
  const cpuRates = [];
  for (let round = 0; round < rounds; round++) {
    let count = 0;
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < roundMs) {
      count += decodeLinear(bytes, mode);
      elapsed = performance.now() - start;
    }
    const cpu = process.cpuUsage(cpuStart);
    rates.push((count / elapsed) * 1000);
    cpuRates.push((count / ((cpu.user + cpu.system) / 1000)) * 1000);
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const millions = (rate) => (rate / 1e6).toFixed(2).padStart(6);
  console.log(
    `${label.padEnd(44)} ${millions(median(rates))} M/s median, ${millions(Math.max(...rates))} best, ` +
      `${millions(median(cpuRates))} M per CPU-second`,
  );
  return median(cpuRates);
}

function randomValid(mode, count) {
  let x = 0x9e3779b9 ^ mode;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const out = new Uint8Array(count * 15);
  const candidate = new Uint8Array(16);
  let length = 0;
  for (let made = 0; made < count; ) {
    for (let i = 0; i < 16; i++) candidate[i] = next() & 0xff;
    const result = decodeInstruction(candidate, 0, mode);
    if (result.status !== 'ok') continue;
    out.set(candidate.subarray(0, result.length), length);
    length += result.length;
    made++;
  }
  return out.subarray(0, length);
}

const binaries = ['/usr/bin/bash', '/usr/bin/git', '/usr/bin/python3', '/usr/bin/perl'].filter((path) =>
  existsSync(path),
);
const texts = binaries.map((path) => [path, elfText(path)]).filter(([, text]) => text);
const total = texts.reduce((sum, [, text]) => sum + text.length, 0);
const corpus = new Uint8Array(total);
let at = 0;
for (const [, text] of texts) {
  corpus.set(text, at);
  at += text.length;
}
console.log(`corpus: .text of ${texts.map(([path]) => path).join(', ')} (${(total / 1e6).toFixed(1)} MB)`);
console.log(
  `load average before: ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')} (2 cores; above 2 the figures are contended)`,
);
const realistic = measure('decoder, 64-bit, real .text (linear sweep)', corpus, 64);
measure('decoder, 64-bit, random valid instructions', randomValid(64, 200_000), 64);
measure('decoder, 32-bit, random valid instructions', randomValid(32, 200_000), 32);
measure('decoder, 16-bit, random valid instructions', randomValid(16, 200_000), 16);

// The printer, for scale (not a target): GNU syntax over the first 200k instructions of the corpus.
let printed = 0;
const printStart = performance.now();
for (let offset = 0; offset < corpus.length && printed < 200_000; printed++) {
  const result = decodeInstruction(corpus, offset, 64);
  if (result.status === 'ok') formatInstruction(result, { syntax: 'gnu', address: BigInt(offset) });
  offset += result.status === 'ok' || result.lengthKnown ? result.length : 1;
}
const printRate = (printed / (performance.now() - printStart)) * 1000;
console.log(
  `${'decode + print (gnu), 64-bit, real .text'.padEnd(46)} ${(printRate / 1e6).toFixed(2).padStart(6)} M instructions/s`,
);
console.log(
  `target: decoder >= 5 M instructions/s on the realistic mix (median per CPU-second; CPU time includes GC ` +
    `threads): ${realistic >= 5e6 ? 'met' : 'NOT met'}`,
);
console.log(
  `load average after: ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`,
);
