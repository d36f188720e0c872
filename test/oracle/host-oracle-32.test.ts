import { afterAll, beforeAll, expect, test } from 'vitest';
import { createHostOracle, type HostOracle, type NativeCase } from '../../src/oracle/index.js';
import { AF, CF, describeWithHostOracle, hex, OF, PF, STATUS_FLAGS, ZF } from './support.js';

const CODE = 0x10000n;
const DATA = 0x20000n;

await describeWithHostOracle(32, 'host-CPU oracle, 32-bit', () => {
  let oracle: HostOracle;
  beforeAll(async () => {
    oracle = await createHostOracle({ mode: 32, timeoutMs: 20 });
  });
  afterAll(async () => {
    await oracle.close();
  });
  const runOne = async (testCase: NativeCase) => (await oracle.run([testCase]))[0];

  test('add eax, ebx with carry out of bit 31', async () => {
    const result = await runOne({ code: hex('01 d8'), registers: { rax: 0xffff_ffffn, rbx: 1n } });
    expect(result.status).toBe('completed');
    expect(result.registers.rax).toBe(0n);
    expect(result.rflags & STATUS_FLAGS).toBe(CF | PF | AF | ZF);
    expect(result.rip).toBe(CODE + 2n);
  });

  test('registers are 32 bits wide: inputs truncated, r8..r15 read 0', async () => {
    const result = await runOne({ code: hex('90'), registers: { rax: 0x1_2345_6789n, rdi: 7n } });
    expect(result.registers.rax).toBe(0x2345_6789n);
    expect(result.registers.rdi).toBe(7n);
    expect(result.registers.r8).toBe(0n);
  });

  test('into with OF=1 is #OF, a trap reported at the into', async () => {
    const result = await runOne({ code: hex('90 ce'), rflags: OF | 0x202n });
    expect(result.fault).toMatchObject({ vector: '#OF', address: CODE + 1n });
    expect(result.rip).toBe(CODE + 2n);
  });

  test('bound with an index out of range is #BR', async () => {
    const result = await runOne({
      code: hex('62 03'), // bound eax, [ebx]
      registers: { rax: 30n, rbx: DATA },
      memory: [{ address: DATA, bytes: hex('0a 00 00 00 14 00 00 00') }], // bounds 10..20
    });
    expect(result.fault).toMatchObject({ vector: '#BR', address: CODE });
  });

  test('div by zero, ud2, hlt and int3', async () => {
    const [divide, undefinedOpcode, halt, breakpoint] = await oracle.run([
      { code: hex('f7 f1') },
      { code: hex('0f 0b') },
      { code: hex('f4') },
      { code: hex('cc') },
    ]);
    expect(divide.fault?.vector).toBe('#DE');
    expect(undefinedOpcode.fault?.vector).toBe('#UD');
    expect(halt.fault?.vector).toBe('#GP');
    expect(breakpoint.fault).toMatchObject({ vector: '#BP', address: CODE });
  });

  test('int 0x80 and sysenter never reach the kernel', async () => {
    const [exit, sysenter, after] = await oracle.run([
      { code: hex('cd 80'), registers: { rax: 1n } }, // exit(0)
      { code: hex('0f 34'), registers: { rax: 1n } },
      { code: hex('90') },
    ]);
    expect(exit.status).toBe('syscall');
    expect(exit.syscall).toEqual({ number: 1, address: CODE });
    expect(['syscall', 'fault']).toContain(sysenter.status);
    expect(after.status).toBe('completed');
  });

  test('jmp $ times out', async () => {
    const [loop, after] = await oracle.run([{ code: hex('eb fe') }, { code: hex('90') }]);
    expect(loop.status).toBe('timeout');
    expect(after.status).toBe('completed');
  });

  test('memory round trip through the stack and a read-only region', async () => {
    const result = await runOne({
      code: hex('50 8b 1e'), // push eax; mov ebx, [esi]
      registers: { rax: 0x1122_3344n, rsp: 0x30008n, rsi: 0x40000n },
      memory: [
        { address: 0x30000n, bytes: new Uint8Array(8) },
        { address: 0x40000n, bytes: hex('78 56 34 12'), writable: false },
      ],
    });
    expect(result.memory[0].bytes.subarray(4)).toEqual(hex('44 33 22 11'));
    expect(result.registers.rbx).toBe(0x1234_5678n);
  });

  test('a batch of 1,000 cases', async () => {
    const cases = Array.from({ length: 1000 }, (_, index) => ({
      code: hex('01 d8'),
      registers: { rax: BigInt(index), rbx: 1n },
    }));
    const results = await oracle.run(cases);
    expect(results.map((result) => result.registers.rax)).toEqual(cases.map((_, index) => BigInt(index + 1)));
  });
});
