// Assembler throughput: lines per second on a large generated file, for both dialects.
// Run with `npm run build && npm run bench -- isa`. Figures are reported, never asserted.
import { loadavg } from 'node:os';
import { assemble } from '../../dist/index.js';

// Operands vary from chunk to chunk (seeded), so that lines repeat as little as in real code and no
// cache inside the assembler can make the figure look better than it is.
const REGISTERS64 = [
  'rax',
  'rbx',
  'rcx',
  'rdx',
  'rsi',
  'rdi',
  'r8',
  'r9',
  'r10',
  'r11',
  'r12',
  'r13',
  'r14',
  'r15',
];
const REGISTERS32 = [
  'eax',
  'ebx',
  'ecx',
  'edx',
  'esi',
  'edi',
  'r8d',
  'r9d',
  'r10d',
  'r11d',
  'r12d',
  'r13d',
  'r14d',
  'r15d',
];
let seed = 12345;
function random(limit) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % limit;
}
const pick = (list) => list[random(list.length)];

/** A representative program chunk: ALU, memory operands, immediates, branches that relax, data. */
function chunk(index, gnu) {
  const [a, b, c] = [pick(REGISTERS64), pick(REGISTERS64), pick(REGISTERS64)];
  const [x, y] = [pick(REGISTERS32), pick(REGISTERS32)];
  const [n, m, d] = [random(100000), random(300), random(200) - 100];
  const memory = gnu ? `QWORD PTR [${b}+${c}*8+${d}]` : `qword [${b} + ${c}*8 + ${d}]`;
  const local = gnu ? `.L${index}` : '.';
  return [
    `f${index}:`,
    `        push    ${a}`,
    `        mov     ${a}, ${memory}`,
    `        add     ${x}, ${n}`,
    `        lea     ${c}, [${a}+${b}*2+${m}]`,
    `        imul    ${y}, ${x}, ${m}`,
    `        cmp     ${b}, ${m}`,
    `        jge     ${local}big`,
    `        ${gnu ? 'sal' : 'shl'}     ${c}, ${random(63) + 1}`,
    `        xor     ${y}, ${y}`,
    `${local}loop:`,
    `        add     ${c}, ${random(1000)}`,
    `        test    ${x}, ${m + 1}`,
    `        jne     ${local}loop`,
    `${local}big:`,
    gnu
      ? `        movzx   eax, BYTE PTR table${index % 16}[rip]`
      : `        movzx   eax, byte [rel table${index % 16}]`,
    `        cmovne  ${a}, ${b}`,
    `        pop     ${a}`,
    '        ret',
  ];
}

function program(dialect, chunks) {
  const lines = dialect === 'gnu' ? ['\t.intel_syntax noprefix', '\t.text'] : ['bits 64', 'section .text'];
  for (let index = 0; index < chunks; index++) lines.push(...chunk(index, dialect === 'gnu'));
  lines.push(dialect === 'gnu' ? '\t.data' : 'section .data');
  for (let index = 0; index < 16; index++)
    lines.push(dialect === 'gnu' ? `table${index}:\t.byte 1, 2, 3, 4` : `table${index}: db 1, 2, 3, 4`);
  return lines.join('\n');
}

console.log(
  `load average before: ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')} (2 cores; above 2 the figures are contended)`,
);
for (const dialect of ['nasm', 'gnu']) {
  const source = program(dialect, 12_000);
  const distinct = new Set(source.split('\n')).size;
  const lines = source.split('\n').length;
  assemble(program(dialect, 500), { syntax: dialect }); // warm-up
  const runs = [];
  const cpuRuns = [];
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const result = assemble(source, { syntax: dialect });
    const cpu = process.cpuUsage(cpuStart);
    const seconds = (performance.now() - start) / 1000;
    if (result.errors.length > 0) throw new Error(`bench source has errors: ${result.errors[0].message}`);
    runs.push(seconds);
    cpuRuns.push((cpu.user + cpu.system) / 1e6);
  }
  const best = Math.min(...runs);
  const bestCpu = Math.min(...cpuRuns);
  console.log(
    `assembler (${dialect}): ${lines.toLocaleString('en')} lines (${distinct.toLocaleString('en')} distinct) in ${best.toFixed(3)} s → ${Math.round(lines / best).toLocaleString('en')} lines/s wall, ${Math.round(lines / bestCpu).toLocaleString('en')} lines/s of CPU time (best of 5; CPU time includes GC threads)`,
  );
}
console.log(
  `load average after: ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')}`,
);
