// Static Linux ELF executables around a workload's bytes (as vial assembled them), for the native
// and qemu-user anchors: `_start` sets ECX/ESI as the workload expects, the workload runs from
// `incbin`, then its result is written raw to stdout (8 bytes in 64-bit, 4 in 32-bit) and the
// process exits 0. Built with nasm + ld; one executable per (workload, iteration count), cached.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUFFER_BYTES } from '../workloads/index.mjs';

const wrapper64 = (binary, iterations) => `bits 64
global _start
section .text
_start:
  mov ecx, ${iterations}
  lea rsi, [rel buffer]
  incbin "${binary}"
  mov [rel result], rax
  mov eax, 1          ; write(1, result, 8)
  mov edi, 1
  lea rsi, [rel result]
  mov edx, 8
  syscall
  mov eax, 60         ; exit(0)
  xor edi, edi
  syscall
section .bss
alignb 16
buffer: resb ${BUFFER_BYTES}
result: resq 1
`;

const wrapper32 = (binary, iterations) => `bits 32
global _start
section .text
_start:
  mov ecx, ${iterations}
  mov esi, buffer
  incbin "${binary}"
  mov [result], eax
  mov eax, 4          ; write(1, result, 4)
  mov ebx, 1
  mov ecx, result
  mov edx, 4
  int 0x80
  mov eax, 1          ; exit(0)
  xor ebx, ebx
  int 0x80
section .bss
alignb 16
buffer: resb ${BUFFER_BYTES}
result: resd 1
`;

function run(command, args) {
  const child = spawnSync(command, args, { encoding: 'utf8' });
  if (child.error) throw new Error(`${command}: ${child.error.message}`);
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${child.stderr}`);
}

/** Whether nasm and ld are on PATH (what building the ELF anchors needs); a reason when not. */
export function elfToolsMissing() {
  for (const tool of ['nasm', 'ld']) {
    const probe = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (probe.error) return `${tool} is not installed`;
  }
  return null;
}

/** Builds (and caches) ELF executables of workloads in a private temporary directory. */
export class ElfBuilder {
  directory = mkdtempSync(join(tmpdir(), 'vial-bench-'));
  cache = new Map();

  /** The path of a static executable running `workload` for `iterations`. */
  build(workload, iterations) {
    const key = `${workload.name}-${iterations}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const binary = join(this.directory, `${workload.name}.bin`);
    writeFileSync(binary, workload.bytes);
    const source = join(this.directory, `${key}.asm`);
    const object = join(this.directory, `${key}.o`);
    const executable = join(this.directory, key);
    const is64 = workload.mode === 64;
    writeFileSync(source, (is64 ? wrapper64 : wrapper32)(binary, iterations));
    run('nasm', ['-f', is64 ? 'elf64' : 'elf32', '-o', object, source]);
    run('ld', ['-static', ...(is64 ? [] : ['-m', 'elf_i386']), '-o', executable, object]);
    this.cache.set(key, executable);
    return executable;
  }

  /** Whether nasm assembles the workload's source to the same bytes as vial did (an independent check). */
  nasmAgrees(workload) {
    const output = join(this.directory, `${workload.name}.nasm.bin`);
    run('nasm', ['-f', 'bin', '-o', output, fileURLToPath(workload.sourcePath)]);
    return Buffer.compare(readFileSync(output), Buffer.from(workload.bytes)) === 0;
  }

  /** Removes the temporary directory. */
  dispose() {
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/**
 * Runs an executable built by {@link ElfBuilder} (directly, or under `launcher` such as
 * `qemu-x86_64`) and returns its wall time in seconds and its result, or throws with what failed.
 */
export function runElf(executable, mode, launcher = null) {
  const [command, args] = launcher ? [launcher, [executable]] : [executable, []];
  const start = process.hrtime.bigint();
  const child = spawnSync(command, args, { maxBuffer: 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (child.error) throw new Error(`${command}: ${child.error.message}`);
  const bytes = mode === 64 ? 8 : 4;
  if (child.status !== 0 || child.stdout.length !== bytes) {
    const why = child.signal ? `signal ${child.signal}` : `exit status ${child.status}`;
    throw new Error(`${launcher ?? executable} ended with ${why}, ${child.stdout.length} bytes of output`);
  }
  const result = mode === 64 ? child.stdout.readBigUInt64LE(0) : BigInt(child.stdout.readUInt32LE(0));
  return { seconds, result };
}
