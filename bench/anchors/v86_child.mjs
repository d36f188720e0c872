// One v86 measurement, in its own process (a fresh emulator, nothing left over from other runs).
// Usage: node v86_child.mjs KERNEL WARMUP_ITERATIONS TIMED_ITERATIONS
// Boots KERNEL (a multiboot image from v86.mjs) without a BIOS: v86 loads multiboot kernels itself
// and enters them in flat 32-bit protected mode. The kernel reads its iteration counts from port
// ARGUMENT_PORT (the second read starts the clock) and writes its result to DONE_PORT (which stops
// it). Prints {"seconds", "result", "warmupResult"} as JSON.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { V86 } from 'v86';
import { ARGUMENT_PORT, DONE_PORT } from './v86.mjs';

const [kernelPath, warmupText, timedText] = process.argv.slice(2);
const counts = [Number(warmupText), Number(timedText)];
const wasmPath = join(dirname(createRequire(import.meta.url).resolve('v86')), 'v86.wasm');
const kernel = readFileSync(kernelPath);

const emulator = new V86({
  wasm_path: wasmPath,
  multiboot: { buffer: kernel.buffer.slice(kernel.byteOffset, kernel.byteOffset + kernel.byteLength) },
  memory_size: 32 * 1024 * 1024,
  autostart: false,
  disable_speaker: true,
  log_level: 0,
});

let reads = 0;
let start = 0n;
let warmupResult = null;
const watchdog = setTimeout(() => {
  console.error('v86: the kernel did not finish within 120 s');
  process.exit(1);
}, 120_000);

emulator.add_listener('emulator-loaded', () => {
  const io = emulator.v86.cpu.io;
  const readArgument = () => {
    const count = counts[reads];
    if (reads === 1) start = process.hrtime.bigint();
    reads++;
    return count;
  };
  const done = (value) => {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    emulator.stop();
    clearTimeout(watchdog);
    process.stdout.write(
      `${JSON.stringify({ seconds, result: (value >>> 0).toString(16), warmupResult })}\n`,
    );
    // v86 keeps timers alive; the measurement is complete, so leave now.
    process.exit(0);
  };
  const record = (value) => {
    // The kernel reports the warm-up result through the same port before the timed run starts.
    if (reads === 1) warmupResult = (value >>> 0).toString(16);
    else done(value);
  };
  io.register_read(
    ARGUMENT_PORT,
    {},
    () => 0xff,
    () => 0xffff,
    readArgument,
  );
  io.register_write(
    DONE_PORT,
    {},
    () => {},
    () => {},
    record,
  );
  emulator.run();
});
