import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  createHostOracle,
  createUnicornOracle,
  type HostOracle,
  type NativeCase,
  type NativeResult,
  OracleCaseError,
  type OracleMode,
  unicornOracleAvailability,
} from '../../src/oracle/index.js';
import { Random, testSeed } from '../support/random.js';
import { describeWithTool } from '../support/tools.js';
import { AF, CF, DF, describeWithHostOracle, hex, OF, PF, SF, STATUS_FLAGS, ZF } from './support.js';

const CODE = 0x10000n;
const DATA = 0x20000n;
const available = unicornOracleAvailability();
/** The tool as skip and CI messages name it, with the reason it is unusable. */
const tool = `python3-unicorn${available.reason ? ` (${available.reason})` : ''}`;

for (const mode of [32, 64] as const) {
  describeWithTool(tool, available.available, `Unicorn oracle, ${mode}-bit`, () => {
    let oracle: HostOracle;
    beforeAll(async () => {
      oracle = await createUnicornOracle({ mode });
    });
    afterAll(async () => {
      await oracle.close();
    });
    const runOne = async (testCase: NativeCase) => (await oracle.run([testCase]))[0];
    /** `mov eax, [address]` / `mov [address], eax` with an absolute 32-bit address. */
    const absolute = (opcode: string, address: bigint) => {
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setUint32(0, Number(address), true);
      const prefix =
        mode === 32 ? (opcode === 'load' ? 'a1' : 'a3') : opcode === 'load' ? '8b 04 25' : '89 04 25';
      return hex(`90 ${prefix} ${Buffer.from(bytes).toString('hex')}`);
    };

    test('add eax, ebx: result, zero-extension and all six status flags', async () => {
      const rax = mode === 64 ? 0xdead_beef_ffff_ffffn : 0xffff_ffffn;
      const result = await runOne({ code: hex('01 d8'), registers: { rax, rbx: 1n } });
      expect(result.status).toBe('completed');
      expect(result.fault).toBeNull();
      expect(result.registers.rax).toBe(0n);
      expect(result.registers.rbx).toBe(1n);
      expect(result.rflags & STATUS_FLAGS).toBe(CF | PF | AF | ZF);
      expect(result.rip).toBe(CODE + 2n);
      const overflow = await runOne({ code: hex('01 d8'), registers: { rax: 0x7fff_ffffn, rbx: 1n } });
      expect(overflow.registers.rax).toBe(0x8000_0000n);
      expect(overflow.rflags & STATUS_FLAGS).toBe(OF | SF | AF | PF);
    });

    test('registers and flags go in and come back; pushf sees IF set as in user mode', async () => {
      const wide = mode === 64 ? { r8: 0x0909n, r15: 0x8000_0000_0000_0000n } : {};
      const registers = { rcx: 0x1_0000_0002n, rdx: 0xffff_fffen, rbp: 6n, rsi: 7n, rdi: 8n, ...wide };
      const result = await runOne({
        code: hex('9c 58'), // pushf; pop eax/rax
        registers: { ...registers, rsp: DATA + 0x100n },
        rflags: STATUS_FLAGS | DF,
        memory: [{ address: DATA, bytes: new Uint8Array(0x100) }],
      });
      expect(result.status).toBe('completed');
      expect(result.registers).toMatchObject({ ...registers, rcx: mode === 64 ? 0x1_0000_0002n : 2n });
      expect(result.registers.rsp).toBe(DATA + 0x100n);
      expect(result.registers.rax).toBe(STATUS_FLAGS | DF | 0x202n);
      expect(result.rflags).toBe(STATUS_FLAGS | DF | 0x202n);
    });

    test('div ecx by zero is #DE at the div, registers as before it', async () => {
      const result = await runOne({ code: hex('90 f7 f1'), registers: { rax: 7n, rdx: 0n, rcx: 0n } });
      expect(result.status).toBe('fault');
      expect(result.fault).toMatchObject({ vector: '#DE', address: CODE + 1n });
      expect(result.rip).toBe(CODE + 1n);
      expect(result.registers.rax).toBe(7n);
    });

    test('ud2 is #UD; hlt, cli, in and out are #GP as in user mode', async () => {
      const [ud2, hlt, cli, input, output] = await oracle.run(
        ['90 0f 0b', 'f4', 'fa', '90 66 ed', '90 e6 80'].map((code) => ({
          code: hex(code),
          registers: { rax: 0x1234n },
        })),
      );
      expect(ud2.fault).toMatchObject({ vector: '#UD', address: CODE + 1n });
      expect(hlt.fault).toMatchObject({ vector: '#GP', address: CODE, errorCode: 0 });
      expect(cli.fault).toMatchObject({ vector: '#GP', address: CODE });
      expect(input.fault).toMatchObject({ vector: '#GP', address: CODE + 1n });
      expect(input.registers.rax).toBe(0x1234n);
      expect(output.fault).toMatchObject({ vector: '#GP', address: CODE + 1n });
    });

    test('int3 is #BP reported at the instruction, rip after it', async () => {
      const result = await runOne({ code: hex('90 cc') });
      expect(result.fault).toMatchObject({ vector: '#BP', address: CODE + 1n });
      expect(result.rip).toBe(CODE + 2n);
    });

    test('a load from an unmapped page is #PF read with the address', async () => {
      const result = await runOne({ code: absolute('load', 0x20_0000n) });
      expect(result.status).toBe('fault');
      expect(result.fault).toMatchObject({
        vector: '#PF',
        address: CODE + 1n,
        pageFaultAddress: 0x20_0000n,
        access: 'read',
      });
    });

    test('a store to a read-only region is #PF write and leaves the bytes', async () => {
      const result = await runOne({
        code: absolute('store', DATA),
        registers: { rax: 0x1234n },
        memory: [{ address: DATA, bytes: hex('aabbccdd'), writable: false }],
      });
      expect(result.fault).toMatchObject({ vector: '#PF', pageFaultAddress: DATA, access: 'write' });
      expect(result.memory[0].bytes).toEqual(hex('aabbccdd'));
    });

    test('jumping to an unmapped page is #PF execute at the target', async () => {
      const result = await runOne({ code: hex('e9 00 00 10 00') });
      expect(result.fault).toMatchObject({ vector: '#PF', access: 'execute', address: CODE + 0x10_0005n });
    });

    test.runIf(mode === 64)('a non-canonical data address is #GP(0), not #PF', async () => {
      const result = await runOne({ code: hex('90 8b 03'), registers: { rbx: 0x8000_0000_0000_0000n } });
      expect(result.fault).toMatchObject({ vector: '#GP', address: CODE + 1n, errorCode: 0 });
    });

    test('jmp $ ends as timeout', async () => {
      const result = await runOne({ code: hex('90 eb fe') });
      expect(result.status).toBe('timeout');
      expect(result.rip).toBe(CODE + 1n);
    });

    test('int 0x80 is a blocked system call with its number and address', async () => {
      const result = await runOne({ code: hex('90 cd 80'), registers: { rax: 4n } });
      expect(result.status).toBe('syscall');
      expect(result.syscall).toEqual({ number: 4, address: CODE + 1n });
    });

    test('memory round trip: a region is written, read back, and the next case starts clean', async () => {
      // mov eax, [rbx]; add eax, 1; mov [rbx+4], eax
      const code = hex('8b 03 83 c0 01 89 43 04');
      const [first, second] = await oracle.run([
        { code, registers: { rbx: DATA }, memory: [{ address: DATA, bytes: hex('41000000 00000000') }] },
        {
          code: hex('8b 43 04'),
          registers: { rbx: DATA },
          memory: [{ address: DATA + 0x100n, bytes: hex('00') }],
        },
      ]);
      expect(first.status).toBe('completed');
      expect(first.memory).toEqual([{ address: DATA, bytes: hex('41000000 42000000') }]);
      expect(second.registers.rax).toBe(0n); // the first case's store did not leak
    });

    test('rewritten code at the same address runs the new code', async () => {
      const results = await oracle.run(
        [1, 2, 3].map((value) => ({ code: Uint8Array.of(0xb8, value, 0, 0, 0) })), // mov eax, imm32
      );
      expect(results.map((result) => result.registers.rax)).toEqual([1n, 2n, 3n]);
    });

    test('malformed cases are refused before anything runs (shared validation)', async () => {
      await expect(oracle.run([{ code: hex('90'), rflags: 0x100n }])).rejects.toThrow(OracleCaseError);
      if (mode === 32) {
        await expect(oracle.run([{ code: hex('90'), registers: { r8: 1n } }])).rejects.toThrow(
          OracleCaseError,
        );
      }
    });

    test('a 2,000-case batch', async () => {
      const cases = Array.from({ length: 2000 }, (_, index) => ({
        code: hex('01 d8'),
        registers: { rax: BigInt(index), rbx: 1n },
      }));
      const started = performance.now();
      const results = await oracle.run(cases);
      const elapsed = performance.now() - started;
      console.log(`[unicorn ${mode}-bit] 2000 cases in ${elapsed.toFixed(0)} ms`);
      expect(results.map((result) => result.registers.rax)).toEqual(
        cases.map((_, index) => BigInt(index + 1)),
      );
    });
  });
}

/** A random ALU case and the status flags whose values the SDM defines for it. */
interface AluCase {
  readonly name: string;
  readonly testCase: NativeCase;
  readonly definedFlags: bigint;
}

const ALL = STATUS_FLAGS;
const BINARY_OPS: readonly (readonly [string, string, bigint])[] = [
  ['add', '01 d8', ALL],
  ['sub', '29 d8', ALL],
  ['adc', '11 d8', ALL],
  ['sbb', '19 d8', ALL],
  ['and', '21 d8', ALL & ~AF],
  ['or', '09 d8', ALL & ~AF],
  ['xor', '31 d8', ALL & ~AF],
  ['imul', '0f af c3', CF | OF],
  ['mul', 'f7 e3', CF | OF],
  ['div', 'f7 f3', 0n],
];

function randomAluCase(random: Random): AluCase {
  const width = random.pick([32, 64]);
  const rex = width === 64 ? '48 ' : '';
  const rflags = (random.bits(12) & STATUS_FLAGS) | 0x202n;
  const rax = random.interestingBits(64);
  if (random.below(BINARY_OPS.length + 2) >= BINARY_OPS.length) {
    const [name, modrm] = random.pick([
      ['shl', 'e0'],
      ['shr', 'e8'],
    ]);
    const count = random.below(8) === 0 ? random.pick([0n, 1n]) : BigInt(random.below(256));
    const masked = count & (width === 64 ? 63n : 31n);
    const definedFlags = masked === 0n ? ALL : masked === 1n ? ALL & ~AF : CF | SF | ZF | PF;
    return {
      name: `${name} ${width} by ${count}`,
      testCase: { code: hex(`${rex}d3 ${modrm}`), registers: { rax, rcx: count }, rflags },
      definedFlags,
    };
  }
  const [name, encoding, definedFlags] = random.pick(BINARY_OPS);
  const rbx = random.interestingBits(64);
  const registers: NativeCase['registers'] =
    name === 'div'
      ? { rax, rbx: rbx | 1n, rdx: random.below(4) === 0 ? random.bits(64) : 0n } // sometimes #DE
      : { rax, rbx, rdx: random.bits(64) };
  return {
    name: `${name} ${width}`,
    testCase: { code: hex(`${rex}${encoding}`), registers, rflags },
    definedFlags,
  };
}

function comparable(result: NativeResult, definedFlags: bigint) {
  return {
    status: result.status,
    vector: result.fault?.vector,
    rip: result.rip,
    registers: result.registers,
    flags: result.status === 'completed' ? result.rflags & definedFlags : undefined,
  };
}

if (available.available) {
  await describeWithHostOracle(64, 'Unicorn agrees with the host CPU (64-bit, defined results)', () => {
    const mode: OracleMode = 64;
    let host: HostOracle;
    let unicorn: HostOracle;
    beforeAll(async () => {
      [host, unicorn] = await Promise.all([createHostOracle({ mode }), createUnicornOracle({ mode })]);
    });
    afterAll(async () => {
      await Promise.all([host.close(), unicorn.close()]);
    });

    test('400 random add/sub/adc/sbb/and/or/xor/shl/shr/imul/mul/div cases', async () => {
      const random = new Random(testSeed);
      const cases = Array.from({ length: 400 }, () => randomAluCase(random));
      const inputs = cases.map((aluCase) => aluCase.testCase);
      const [expected, actual] = await Promise.all([host.run(inputs), unicorn.run(inputs)]);
      const mismatches = cases.flatMap((aluCase, index) => {
        const want = comparable(expected[index], aluCase.definedFlags);
        const got = comparable(actual[index], aluCase.definedFlags);
        return JSON.stringify(want, bigintText) === JSON.stringify(got, bigintText)
          ? []
          : [
              `${aluCase.name}: host ${JSON.stringify(want, bigintText)} unicorn ${JSON.stringify(got, bigintText)}`,
            ];
      });
      expect(mismatches, `seed ${testSeed}`).toEqual([]);
      expect(expected.filter((result) => result.status === 'fault').length).toBeGreaterThan(0); // #DE was exercised
    });
  });
}

function bigintText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `0x${value.toString(16)}` : value;
}
