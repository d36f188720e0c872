/**
 * The example assembly tests' expectations, checked against the real CPU: every case that starts from
 * defined registers and must run to its end is run natively, and each defined expected value of a
 * register or flag must be what the CPU produced (bits the expectation requires undefined are the
 * VM's business; the CPU always writes something there).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseAsmTest } from '../../src/asmtest/parse.js';
import { assembleOrThrow } from '../../src/assembler/index.js';
import { flagBitPosition } from '../../src/ir/expression.js';
import { registerInfo } from '../../src/isa/registers.js';
import {
  createHostOracle,
  DEFAULT_CODE_ADDRESS,
  type HostOracle,
  type RegisterName,
} from '../../src/oracle/index.js';
import { describeWithHostOracle } from '../oracle/support.js';

const STACK = 0x20000n;
const files = ['examples/asm-tests/sum.asm', 'examples/asm-tests/div.asm'];

await describeWithHostOracle(64, 'example .asm expectations agree with the host CPU', () => {
  let oracle: HostOracle;
  beforeAll(async () => {
    oracle = await createHostOracle({ mode: 64 });
  });
  afterAll(async () => {
    await oracle.close();
  });

  it.each(files)('%s', async (file) => {
    const source = readFileSync(file, 'utf8');
    const { cases, errors } = parseAsmTest(source);
    expect(errors).toEqual([]);
    const code = assembleOrThrow(source, { mode: 64, origin: DEFAULT_CODE_ADDRESS }).bytes;
    // A top-level `ret` returns to the end of the code, where the runner's own jump takes over.
    const returnAddress = new Uint8Array(8);
    new DataView(returnAddress.buffer).setBigUint64(0, DEFAULT_CODE_ADDRESS + BigInt(code.length), true);
    let compared = 0;
    for (const testCase of cases) {
      if (testCase.mode !== 64 || testCase.stop !== null || testCase.mem.length || testCase.map.length)
        continue;
      const registers: Partial<Record<RegisterName, bigint>> = { rsp: STACK };
      const assignments = testCase.set.map((d) => d.value.split('='));
      if (assignments.some(([, value]) => value.includes('?'))) continue;
      for (const [name, value] of assignments) {
        const info = registerInfo(name)!;
        const container = info.container as RegisterName;
        expect(info.bitOffset).toBe(0); // the examples set whole registers or their low parts
        registers[container] = BigInt.asUintN(info.width, BigInt(value));
      }
      const [result] = await oracle.run([
        { code, registers, memory: [{ address: STACK, bytes: returnAddress }] },
      ]);
      expect(result.status, testCase.name).toBe('completed');
      for (const { value: expectation, line } of testCase.expectations) {
        if (expectation.kind === 'memory') continue;
        const expected = expectation.expected;
        if (!expected.isDefined) continue;
        const actual =
          expectation.kind === 'flag'
            ? (result.rflags >> BigInt(flagBitPosition[expectation.flag])) & 1n
            : (() => {
                const info = registerInfo(expectation.name)!;
                const full = result.registers[info.container as RegisterName];
                return BigInt.asUintN(info.width, full >> BigInt(info.bitOffset));
              })();
        expect(actual, `${file}:${line} ${testCase.name}`).toBe(expected.bits);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(3);
  });
});
