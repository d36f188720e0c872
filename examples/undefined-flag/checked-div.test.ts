/**
 * Example: a real bug that only vial catches. `checked_div` branches on CF after `div`, where CF
 * is architecturally undefined. On this CPU the test passes, and in vial's `zero` policy
 * (undefined = 0) it passes too. In `strict` policy vial stops at the `jc` and names the flag.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
// In your own project: import { Machine, assembleOrThrow } from 'vial';
import { assembleOrThrow, Machine } from '../../src/index.js';
import { createHostOracle, type HostOracle } from '../../src/oracle/index.js';
import { describeWithHostOracle } from '../../test/oracle/support.js';

const source = readFileSync(new URL('./checked-div.asm', import.meta.url), 'utf8');
const cases: [bigint, bigint][] = [
  [10n, 2n],
  [7n, 2n],
  [2n ** 64n - 1n, 3n],
  [0n, 5n],
];

describe('checked_div', () => {
  test("'zero' policy: the bug hides — every answer is right", () => {
    const machine = new Machine({ mode: 64, policy: 'zero' });
    machine.assemble(source);
    for (const [a, b] of cases) expect(machine.call('checked_div', [a, b]).expectReturn()).toBe(a / b);
    expect(machine.call('checked_div', [1, 0]).expectReturn()).toBe(2n ** 64n - 1n);
  });

  test("'strict' policy: vial stops at the jc and says CF is undefined", () => {
    const machine = new Machine({ mode: 64, policy: 'strict' });
    const program = machine.assemble(source);
    const result = machine.call('checked_div', [10, 2]);
    expect(result.ok).toBe(false);
    expect(result.stop.reason).toBe('strict');
    // The address of the offending instruction (NASM names the local label checked_div.flag_test):
    expect(result.stop.address).toBe(program.symbol('checked_div.flag_test'));
    expect(result.stopDisassembly).toMatch(/^jb /); // `jc` and `jb` are the same instruction
    expect(result.undefinedFlags).toEqual(['CF']);
    // What a failing test prints (expectReturn throws a CallError with this message):
    expect(() => result.expectReturn()).toThrow(
      /strict at 0x[0-9a-f]+ \(jb .*\).*it reads CF, which is undefined/,
    );
  });

  test("the fix passes in 'strict' policy", () => {
    const machine = new Machine({ mode: 64, policy: 'strict' });
    machine.assemble(source);
    for (const [a, b] of cases) expect(machine.call('checked_div_fixed', [a, b]).expectReturn()).toBe(a / b);
    expect(machine.call('checked_div_fixed', [1, 0]).expectReturn()).toBe(2n ** 64n - 1n);
  });
});

// The same bytes on the real processor, through vial's host-CPU oracle (Linux x86-64 with gcc/ld).
await describeWithHostOracle(64, 'checked_div on this CPU', () => {
  let oracle: HostOracle;
  beforeAll(async () => {
    oracle = await createHostOracle({ mode: 64 });
  });
  afterAll(async () => {
    await oracle?.close();
  });

  test('passes here: this CPU happens to leave CF clear after div', async () => {
    // The oracle runs straight-line code, so wrap the function in a call and fall off the end.
    const codeAddress = 0x10000n;
    const stackTop = 0x30000n;
    const program = assembleOrThrow(`call checked_div\njmp finish\n${source}\nfinish:`, {
      origin: codeAddress,
    });
    const results = await oracle.run(
      cases.map(([a, b]) => ({
        code: program.bytes,
        codeAddress,
        registers: { rdi: a, rsi: b, rsp: stackTop - 8n },
        memory: [{ address: stackTop - 4096n, bytes: new Uint8Array(4096) }],
      })),
    );
    expect(results.map((result) => result.status)).toEqual(cases.map(() => 'completed'));
    expect(results.map((result) => result.registers.rax)).toEqual(cases.map(([a, b]) => a / b));
  });
});
