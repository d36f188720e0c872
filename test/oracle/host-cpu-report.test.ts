// Measures what this host's CPU puts into architecturally undefined flags, and the oracle's throughput,
// and prints both as Markdown for docs/host-cpu.md. Opt-in (it takes a while):
//   VIAL_ORACLE_REPORT=1 npx vitest run test/oracle/host-cpu-report.test.ts
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  createHostOracle,
  type HostOracle,
  type NativeCase,
  type NativeResult,
} from '../../src/oracle/index.js';
import { AF, CF, describeWithHostOracle, hex, OF, PF, SF, ZF } from './support.js';

const enabled = process.env.VIAL_ORACLE_REPORT === '1';
const SAMPLES = 3000;
const FLAGS = { CF, PF, AF, ZF, SF, OF } as const;
type FlagName = keyof typeof FLAGS;

/** xorshift32 with a fixed seed: the report is reproducible. */
function random32(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

const EDGES = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff];

interface Sample {
  readonly rax: number;
  readonly rbx: number;
  readonly rcx: number;
  readonly rdx: number;
  readonly flagsIn: bigint;
}

/** A rule that might explain an undefined flag; returns the bit it predicts. */
interface Hypothesis {
  readonly label: string;
  readonly predict: (sample: Sample, result: NativeResult, flag: FlagName) => boolean;
}

const low32 = (value: bigint) => Number(value & 0xffff_ffffn);
const parityEven = (value: number) => {
  let bits = value & 0xff;
  bits ^= bits >> 4;
  bits ^= bits >> 2;
  bits ^= bits >> 1;
  return (bits & 1) === 0;
};
const bit = (value: number, index: number) => ((value >>> index) & 1) === 1;

const COMMON_HYPOTHESES: Hypothesis[] = [
  { label: 'always 0', predict: () => false },
  { label: 'always 1', predict: () => true },
  { label: 'unchanged', predict: (sample, _result, flag) => (sample.flagsIn & FLAGS[flag]) !== 0n },
  {
    label: 'from the result in EAX (SF = bit 31, ZF = zero, PF = parity of low byte)',
    predict: (_sample, result, flag) => {
      const value = low32(result.registers.rax);
      if (flag === 'SF') return bit(value, 31);
      if (flag === 'ZF') return value === 0;
      if (flag === 'PF') return parityEven(value);
      return false;
    },
  },
];

interface Probe {
  readonly instruction: string;
  readonly condition: string;
  readonly code: string;
  readonly undefinedFlags: readonly FlagName[];
  /** Adjusts a random sample so it meets the condition (and raises no exception). */
  readonly shape: (sample: Sample) => Sample;
  readonly hypotheses?: readonly Hypothesis[];
  /** Set to check whether RAX (all 64 bits, upper half set to a pattern) survives, e.g. bsf of zero. */
  readonly destinationRule?: string;
}

const shiftCount = (sample: Sample) => ({ ...sample, rcx: 2 + (sample.rcx % 30) });
const countOneRule = (
  label: string,
  predict: (sample: Sample, result: NativeResult) => boolean,
): Hypothesis => ({
  label,
  predict: (sample, result) => predict(sample, result),
});
const resultBit = (result: NativeResult, index: number) => bit(low32(result.registers.rax), index);
const carryOut = (result: NativeResult) => (result.rflags & CF) !== 0n;

const PROBES: Probe[] = [
  {
    instruction: 'div ecx',
    condition: 'no #DE',
    code: 'f7 f1',
    undefinedFlags: ['CF', 'OF', 'SF', 'ZF', 'AF', 'PF'],
    shape: (s) => {
      const rcx = s.rcx || 1;
      return { ...s, rcx, rdx: s.rdx % rcx };
    },
  },
  {
    instruction: 'idiv ecx',
    condition: 'edx = sign of eax, no #DE',
    code: 'f7 f9',
    undefinedFlags: ['CF', 'OF', 'SF', 'ZF', 'AF', 'PF'],
    shape: (s) => ({
      ...s,
      rcx: s.rcx === 0 || s.rcx === 0xffff_ffff ? 3 : s.rcx,
      rdx: bit(s.rax, 31) ? 0xffff_ffff : 0,
    }),
  },
  {
    instruction: 'mul ecx',
    condition: 'any',
    code: 'f7 e1',
    undefinedFlags: ['SF', 'ZF', 'AF', 'PF'],
    shape: (s) => s,
  },
  {
    instruction: 'imul eax, ecx',
    condition: 'any',
    code: '0f af c1',
    undefinedFlags: ['SF', 'ZF', 'AF', 'PF'],
    shape: (s) => s,
  },
  {
    instruction: 'bsf eax, ecx',
    condition: 'ecx = 0',
    code: '0f bc c1',
    undefinedFlags: ['CF', 'OF', 'SF', 'AF', 'PF'],
    shape: (s) => ({ ...s, rcx: 0 }),
    destinationRule: 'RAX unchanged, upper half included (no zero-extension)',
  },
  {
    instruction: 'bsr eax, ecx',
    condition: 'ecx = 0',
    code: '0f bd c1',
    undefinedFlags: ['CF', 'OF', 'SF', 'AF', 'PF'],
    shape: (s) => ({ ...s, rcx: 0 }),
    destinationRule: 'RAX unchanged, upper half included (no zero-extension)',
  },
  {
    instruction: 'bsf eax, ecx',
    condition: 'ecx ≠ 0',
    code: '0f bc c1',
    undefinedFlags: ['CF', 'OF', 'SF', 'AF', 'PF'],
    shape: (s) => ({ ...s, rcx: s.rcx || 1 }),
  },
  {
    instruction: 'shl eax, cl',
    condition: 'cl in 2..31',
    code: 'd3 e0',
    undefinedFlags: ['OF', 'AF'],
    shape: shiftCount,
    hypotheses: [
      countOneRule(
        'OF = bit 31 of result XOR CF (the count-1 rule)',
        (_s, r) => resultBit(r, 31) !== carryOut(r),
      ),
    ],
  },
  {
    instruction: 'shl eax, 1',
    condition: 'count 1',
    code: 'd1 e0',
    undefinedFlags: ['AF'],
    shape: (s) => s,
  },
  {
    instruction: 'shr eax, cl',
    condition: 'cl in 2..31',
    code: 'd3 e8',
    undefinedFlags: ['OF', 'AF'],
    shape: shiftCount,
    hypotheses: [
      countOneRule('OF = bit 31 of the original operand (the count-1 rule)', (s) => bit(s.rax, 31)),
      countOneRule('OF = bit 31 XOR bit 30 of the result', (_s, r) => resultBit(r, 31) !== resultBit(r, 30)),
    ],
  },
  {
    instruction: 'sar eax, cl',
    condition: 'cl in 2..31',
    code: 'd3 f8',
    undefinedFlags: ['OF', 'AF'],
    shape: shiftCount,
  },
  {
    instruction: 'rol eax, cl',
    condition: 'cl in 2..31',
    code: 'd3 c0',
    undefinedFlags: ['OF'],
    shape: shiftCount,
    hypotheses: [
      countOneRule(
        'OF = bit 31 of result XOR CF (the count-1 rule)',
        (_s, r) => resultBit(r, 31) !== carryOut(r),
      ),
    ],
  },
  {
    instruction: 'ror eax, cl',
    condition: 'cl in 2..31',
    code: 'd3 c8',
    undefinedFlags: ['OF'],
    shape: shiftCount,
    hypotheses: [
      countOneRule(
        'OF = bit 31 XOR bit 30 of the result (the count-1 rule)',
        (_s, r) => resultBit(r, 31) !== resultBit(r, 30),
      ),
    ],
  },
  {
    instruction: 'rcl eax, cl',
    condition: 'cl in 2..31',
    code: 'd3 d0',
    undefinedFlags: ['OF'],
    shape: shiftCount,
    hypotheses: [
      countOneRule(
        'OF = bit 31 of result XOR CF (the count-1 rule)',
        (_s, r) => resultBit(r, 31) !== carryOut(r),
      ),
    ],
  },
  {
    instruction: 'rcr eax, cl',
    condition: 'cl in 2..31',
    code: 'd3 d8',
    undefinedFlags: ['OF'],
    shape: shiftCount,
    hypotheses: [
      countOneRule('OF = bit 31 XOR bit 30 of the result', (_s, r) => resultBit(r, 31) !== resultBit(r, 30)),
    ],
  },
  {
    instruction: 'shld eax, ebx, cl',
    condition: 'cl in 2..31',
    code: '0f a5 d8',
    undefinedFlags: ['OF', 'AF'],
    shape: shiftCount,
    hypotheses: [
      countOneRule(
        'OF = bit 31 of result XOR CF (the count-1 rule)',
        (_s, r) => resultBit(r, 31) !== carryOut(r),
      ),
    ],
  },
  {
    instruction: 'shrd eax, ebx, cl',
    condition: 'cl in 2..31',
    code: '0f ad d8',
    undefinedFlags: ['OF', 'AF'],
    shape: shiftCount,
    hypotheses: [
      countOneRule('OF = bit 31 XOR bit 30 of the result', (_s, r) => resultBit(r, 31) !== resultBit(r, 30)),
    ],
  },
  {
    instruction: 'and eax, ebx',
    condition: 'any',
    code: '21 d8',
    undefinedFlags: ['AF'],
    shape: (s) => s,
  },
  {
    instruction: 'bt eax, ebx',
    condition: 'any',
    code: '0f a3 d8',
    undefinedFlags: ['OF', 'SF', 'AF', 'PF'],
    shape: (s) => s,
  },
];

function samples(seed: number): Sample[] {
  const next = random32(seed);
  return Array.from({ length: SAMPLES }, (_, index) => {
    const pick = () => (next() % 4 === 0 ? EDGES[next() % EDGES.length] : next());
    const flagsIn = BigInt(next() & 0x8d5) | 0x202n;
    return {
      rax: index < EDGES.length ? EDGES[index] : pick(),
      rbx: pick(),
      rcx: pick(),
      rdx: pick(),
      flagsIn,
    };
  });
}

function describeFlag(probe: Probe, flag: FlagName, inputs: Sample[], results: NativeResult[]): string {
  for (const hypothesis of [...COMMON_HYPOTHESES, ...(probe.hypotheses ?? [])]) {
    const holds = results.every(
      (result, index) =>
        ((result.rflags & FLAGS[flag]) !== 0n) === hypothesis.predict(inputs[index], result, flag),
    );
    if (holds) return hypothesis.label;
  }
  const set = results.filter((result) => (result.rflags & FLAGS[flag]) !== 0n).length;
  return `varies (set in ${((100 * set) / results.length).toFixed(1)}%), no simple rule found`;
}

const UPPER_RAX_PATTERN = 0x1234_5678n << 32n;
const initialRax = (probe: Probe, sample: Sample) =>
  BigInt(sample.rax) | (probe.destinationRule ? UPPER_RAX_PATTERN : 0n);

async function surveyUndefinedFlags(oracle: HostOracle): Promise<string> {
  const lines = ['| instruction | condition | flag | observed on this host |', '|---|---|---|---|'];
  let seed = 1;
  for (const probe of PROBES) {
    const inputs = samples(seed++).map(probe.shape);
    const cases: NativeCase[] = inputs.map((sample) => ({
      code: hex(probe.code),
      registers: {
        rax: initialRax(probe, sample),
        rbx: BigInt(sample.rbx),
        rcx: BigInt(sample.rcx),
        rdx: BigInt(sample.rdx),
      },
      rflags: sample.flagsIn,
    }));
    const results = await oracle.run(cases);
    for (const result of results) expect(result.status).toBe('completed');
    for (const flag of probe.undefinedFlags) {
      lines.push(
        `| \`${probe.instruction}\` | ${probe.condition} | ${flag} | ${describeFlag(probe, flag, inputs, results)} |`,
      );
    }
    if (probe.destinationRule) {
      const holds = results.every(
        (result, index) => result.registers.rax === initialRax(probe, inputs[index]),
      );
      lines.push(
        `| \`${probe.instruction}\` | ${probe.condition} | destination | ${holds ? probe.destinationRule : `not always: ${probe.destinationRule}`} |`,
      );
    }
  }
  return lines.join('\n');
}

async function throughput(
  oracle: HostOracle,
  label: string,
  testCase: NativeCase,
  count: number,
): Promise<string> {
  const cases = Array.from({ length: count }, () => testCase);
  const started = performance.now();
  await oracle.run(cases);
  const seconds = (performance.now() - started) / 1000;
  return `| ${label} | ${count} | ${(seconds * 1000).toFixed(0)} ms | ${Math.round(count / seconds)} |`;
}

await describeWithHostOracle(64, 'host CPU report', () => {
  let oracle: HostOracle;
  beforeAll(async () => {
    oracle = await createHostOracle({ mode: 64 });
  });
  afterAll(async () => {
    await oracle?.close();
  });

  test.skipIf(!enabled)(
    'undefined flags and throughput (set VIAL_ORACLE_REPORT=1)',
    async () => {
      const model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
      const family = /cpu family\s*:\s*(\d+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
      const rows = [
        '| case | cases | time | cases/s |',
        '|---|---|---|---|',
        await throughput(
          oracle,
          '`add eax, ebx` (completes)',
          { code: hex('01 d8'), registers: { rax: 1n, rbx: 2n } },
          50_000,
        ),
        await throughput(
          oracle,
          '`add eax, ebx` + 4 KiB data region',
          { code: hex('01 d8'), memory: [{ address: 0x20000n, bytes: new Uint8Array(4096) }] },
          20_000,
        ),
        await throughput(oracle, '`ud2` (#UD, a signal per case)', { code: hex('0f 0b') }, 20_000),
        await throughput(oracle, '`mov eax, [0]` (#PF)', { code: hex('8b 04 25 00 00 00 00') }, 20_000),
      ];
      const survey = await surveyUndefinedFlags(oracle);
      console.log(`CPU: ${model} (family ${family})\n\n${rows.join('\n')}\n\n${survey}`);
      expect(survey).toContain('div ecx');
    },
    600_000,
  );
});
