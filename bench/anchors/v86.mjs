// The v86 anchor (npm `v86`, a devDependency): boots a 32-bit workload as a multiboot kernel in
// v86 (no BIOS: v86 loads multiboot images itself) and times the workload between two port
// accesses the harness observes. The kernel runs the workload once to warm v86's JIT (it compiles
// hot code to WebAssembly), then again for the clock.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUFFER_BYTES } from '../workloads/index.mjs';

/** The I/O ports the benchmark kernel uses (free in v86's PC: no device claims them). */
export const ARGUMENT_PORT = 0x500;
export const DONE_PORT = 0x504;

const child = fileURLToPath(new URL('./v86_child.mjs', import.meta.url));

/**
 * Instructions the kernel executes between the clock's start and stop besides the workload itself:
 * `mov ecx, eax`, `mov esi, …`, `call`, the workload's `ret`, `mov dx, …`, `out dx, eax`.
 */
export const V86_KERNEL_OVERHEAD = 6;

// Multiboot header with the a.out kludge (flags bit 16): load addresses given in the header, so a
// flat binary is enough. Entered in 32-bit protected mode with flat segments, interrupts off.
const kernelSource = (binary) => `bits 32
org 0x100000
MAGIC equ 0x1BADB002
FLAGS equ 0x00010000
header:
  dd MAGIC, FLAGS, -(MAGIC + FLAGS)
  dd header, header, load_end, load_end, entry
entry:
  cli
  mov esp, 0x400000
  mov dx, ${ARGUMENT_PORT}
  in eax, dx            ; warm-up iteration count
  mov ecx, eax
  mov esi, buffer
  call workload
  mov dx, ${DONE_PORT}
  out dx, eax           ; warm-up result
  mov dx, ${ARGUMENT_PORT}
  in eax, dx            ; timed iteration count: the clock starts here
  mov ecx, eax
  mov esi, buffer
  call workload
  mov dx, ${DONE_PORT}
  out dx, eax           ; result: the clock stops here
halt:
  hlt
  jmp halt
align 16
workload:
  incbin "${binary}"
  ret
align 4096
buffer:
  times ${BUFFER_BYTES} db 0
load_end:
`;

/** Why the v86 anchor cannot run here, or null when it can. */
export function v86Missing() {
  try {
    createRequire(import.meta.url).resolve('v86');
  } catch {
    return "the 'v86' package is not installed (npm ci installs it: it is a devDependency)";
  }
  return null;
}

/** v86's package version (for the report). */
export function v86Version() {
  return createRequire(import.meta.url)('v86/package.json').version;
}

/** Writes the multiboot kernel of a 32-bit workload into `directory` (assembled by nasm); returns its path. */
export function buildV86Kernel(workload, directory) {
  if (workload.mode !== 32)
    throw new Error(`v86 runs 32-bit workloads; ${workload.name} is ${workload.mode}-bit`);
  const binary = join(directory, `${workload.name}.v86.bin`);
  writeFileSync(binary, workload.bytes);
  const source = join(directory, `${workload.name}.v86.asm`);
  const kernel = join(directory, `${workload.name}.v86.kernel`);
  writeFileSync(source, kernelSource(binary));
  const nasm = spawnSync('nasm', ['-f', 'bin', '-o', kernel, source], { encoding: 'utf8' });
  if (nasm.error || nasm.status !== 0)
    throw new Error(`nasm could not build the v86 kernel: ${nasm.error?.message ?? nasm.stderr}`);
  return kernel;
}

/** One v86 run in a child process: seconds of the timed pass and its result (and the warm-up's). */
export function runV86(kernel, warmupIterations, iterations) {
  const result = spawnSync(process.execPath, [child, kernel, String(warmupIterations), String(iterations)], {
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`v86 run failed: ${result.stderr.trim() || `status ${result.status}`}`);
  const answer = JSON.parse(result.stdout.trim().split('\n').pop());
  return {
    seconds: answer.seconds,
    result: BigInt(`0x${answer.result}`),
    warmupResult: answer.warmupResult === null ? null : BigInt(`0x${answer.warmupResult}`),
  };
}
