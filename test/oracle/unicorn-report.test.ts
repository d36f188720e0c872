/**
 * Opt-in measurements behind docs/host-cpu.md, "Unicorn as the 32-bit oracle":
 * `VIAL_UNICORN_REPORT=1 npx vitest run test/oracle/unicorn-report.test.ts` prints Unicorn's
 * throughput and, where the 64-bit host oracle works, how often Unicorn and the host CPU disagree
 * per instruction form (registers, status and each status flag, over random inputs and flags).
 */
import { describe, expect, test } from 'vitest';
import {
  createHostOracle,
  createUnicornOracle,
  type NativeCase,
  type NativeResult,
  type OracleMode,
  probeHostOracle,
  unicornOracleAvailability,
} from '../../src/oracle/index.js';
import { Random } from '../support/random.js';
import { hex } from './support.js';

const enabled = process.env.VIAL_UNICORN_REPORT === '1' && unicornOracleAvailability().available;

const FLAG_BITS: readonly (readonly [string, bigint])[] = [
  ['CF', 0x1n],
  ['PF', 0x4n],
  ['AF', 0x10n],
  ['ZF', 0x40n],
  ['SF', 0x80n],
  ['OF', 0x800n],
];

/** Instruction forms compared in 64-bit mode (operands eax/rax, ebx/rbx, ecx/cl, edx). */
const FORMS: readonly (readonly [string, string])[] = [
  ['add eax, ebx', '01 d8'],
  ['adc rax, rbx', '48 11 d8'],
  ['sbb eax, ebx', '19 d8'],
  ['inc eax', 'ff c0'],
  ['neg eax', 'f7 d8'],
  ['and eax, ebx', '21 d8'],
  ['xor rax, rbx', '48 31 d8'],
  ['shl eax, cl', 'd3 e0'],
  ['shr eax, 1', 'd1 e8'],
  ['sar eax, cl', 'd3 f8'],
  ['rol eax, cl', 'd3 c0'],
  ['rcl eax, cl', 'd3 d0'],
  ['rcr eax, cl', 'd3 d8'],
  ['shld eax, ebx, cl', '0f a5 d8'],
  ['shld ax, bx, cl', '66 0f a5 d8'],
  ['mul ebx', 'f7 e3'],
  ['imul eax, ebx', '0f af c3'],
  ['div ebx', 'f7 f3'],
  ['idiv ebx', 'f7 fb'],
  ['bsf eax, ebx', '0f bc c3'],
  ['bsr eax, ebx', '0f bd c3'],
  ['tzcnt eax, ebx', 'f3 0f bc c3'],
  ['lzcnt eax, ebx', 'f3 0f bd c3'],
  ['popcnt eax, ebx', 'f3 0f b8 c3'],
  ['bt eax, ebx', '0f a3 d8'],
  ['cmpxchg ecx, ebx', '0f b1 d9'],
  ['xadd eax, ebx', '0f c1 d8'],
  ['andn eax, ebx, ecx', 'c4 e2 60 f2 c1'],
  ['bextr eax, ebx, ecx', 'c4 e2 70 f7 c3'],
  ['bzhi eax, ebx, ecx', 'c4 e2 70 f5 c3'],
  ['blsr eax, ebx', 'c4 e2 78 f3 cb'],
  ['adcx eax, ebx', '66 0f 38 f6 c3'],
  ['mulx eax, ecx, ebx', 'c4 e2 73 f6 c3'],
];

function randomCases(random: Random, code: Uint8Array, count: number): NativeCase[] {
  return Array.from({ length: count }, () => ({
    code,
    registers: {
      rax: random.interestingBits(64),
      rbx: random.interestingBits(64),
      rcx: random.pick([0n, 1n, BigInt(random.below(70)), random.interestingBits(64)]),
      rdx: random.pick([0n, random.bits(64)]),
    },
    rflags: (random.bits(12) & 0x8d5n) | 0x202n,
  }));
}

/** One line: how many of the cases differ in status, registers, and each flag. */
function disagreement(host: readonly NativeResult[], unicorn: readonly NativeResult[]): string {
  let status = 0;
  let registers = 0;
  let completed = 0;
  const flags = new Map<string, number>();
  for (const [index, want] of host.entries()) {
    const got = unicorn[index];
    if (want.status !== got.status || want.fault?.vector !== got.fault?.vector) {
      status++;
      continue;
    }
    if (want.status !== 'completed') continue;
    completed++;
    if ((['rax', 'rbx', 'rcx', 'rdx'] as const).some((name) => want.registers[name] !== got.registers[name]))
      registers++;
    for (const [name, bit] of FLAG_BITS)
      if ((want.rflags & bit) !== (got.rflags & bit)) flags.set(name, (flags.get(name) ?? 0) + 1);
  }
  const notes = [
    ...(status ? [`status/vector ${status}`] : []),
    ...(registers ? [`registers ${registers}/${completed}`] : []),
    ...[...flags].map(([name, count]) => `${name} ${count}/${completed}`),
  ];
  return notes.length > 0 ? notes.join(', ') : 'agree';
}

describe.skipIf(!enabled)('Unicorn report (VIAL_UNICORN_REPORT=1)', () => {
  test('throughput', async () => {
    const rows: [string, (index: number, mode: OracleMode) => NativeCase, number][] = [
      [
        '`add eax, ebx` (completes)',
        (index) => ({ code: hex('01 d8'), registers: { rax: BigInt(index) } }),
        20000,
      ],
      [
        '`add eax, ebx` + 4 KiB data region',
        (index) => ({
          code: hex('01 d8'),
          registers: { rax: BigInt(index) },
          memory: [{ address: 0x20000n, bytes: new Uint8Array(4096) }],
        }),
        10000,
      ],
      ['`ud2` (#UD)', () => ({ code: hex('0f 0b') }), 10000],
      [
        '`mov eax, [0]` (#PF)',
        (_, mode) => ({ code: hex(mode === 32 ? 'a1 00 00 00 00' : '8b 04 25 00 00 00 00') }),
        10000,
      ],
      [
        '`mov eax, imm32`, new code every case',
        (index) => ({ code: Uint8Array.of(0xb8, index & 0xff, index >> 8, 0, 0) }),
        10000,
      ],
    ];
    for (const mode of [32, 64] as const) {
      const oracle = await createUnicornOracle({ mode });
      for (const [name, make, count] of rows) {
        const cases = Array.from({ length: count }, (_, index) => make(index, mode));
        const started = performance.now();
        const results = await oracle.run(cases);
        const elapsed = performance.now() - started;
        expect(results).toHaveLength(count);
        console.log(
          `| ${mode} | ${name} | ${count} | ${elapsed.toFixed(0)} ms | ${Math.round((count / elapsed) * 1000)} |`,
        );
      }
      await oracle.close();
    }
  }, 300_000);

  test('disagreement with the host CPU, 64-bit, 400 random inputs per form', async (context) => {
    const host64 = await probeHostOracle(64);
    if (!host64.available) context.skip(`no 64-bit host oracle: ${host64.reason}`);
    const [host, unicorn] = await Promise.all([
      createHostOracle({ mode: 64 }),
      createUnicornOracle({ mode: 64 }),
    ]);
    const random = new Random(42);
    for (const [name, code] of FORMS) {
      const cases = randomCases(random, hex(code), 400);
      const [want, got] = await Promise.all([host.run(cases), unicorn.run(cases)]);
      console.log(`| \`${name}\` | ${disagreement(want, got)} |`);
    }
    await Promise.all([host.close(), unicorn.close()]);
  }, 300_000);
});
