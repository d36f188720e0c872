import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ensureRunnerBinary } from '../../src/oracle/build.js';
import {
  createHostOracle,
  type HostOracle,
  type NativeCase,
  OracleCaseError,
} from '../../src/oracle/index.js';
import { AF, CF, DF, describeWithHostOracle, hex, OF, PF, SF, STATUS_FLAGS, ZF } from './support.js';

const CODE = 0x10000n;
const DATA = 0x20000n;

await describeWithHostOracle(64, 'host-CPU oracle, 64-bit', () => {
  let oracle: HostOracle;
  beforeAll(async () => {
    oracle = await createHostOracle({ mode: 64, timeoutMs: 20 });
  });
  afterAll(async () => {
    await oracle.close();
  });
  const runOne = async (testCase: NativeCase) => (await oracle.run([testCase]))[0];

  test('add eax, ebx: result, zero-extension and all six status flags', async () => {
    const result = await runOne({ code: hex('01 d8'), registers: { rax: 0xdead_beef_ffff_ffffn, rbx: 1n } });
    expect(result.status).toBe('completed');
    expect(result.fault).toBeNull();
    expect(result.registers.rax).toBe(0n); // a 32-bit write clears bits 63..32
    expect(result.registers.rbx).toBe(1n);
    expect(result.rflags & STATUS_FLAGS).toBe(CF | PF | AF | ZF);
    expect(result.rip).toBe(CODE + 2n);
  });

  test('add rax, rbx: signed overflow sets OF and SF', async () => {
    const result = await runOne({
      code: hex('48 01 d8'),
      registers: { rax: 0x7fff_ffff_ffff_ffffn, rbx: 1n },
    });
    expect(result.registers.rax).toBe(0x8000_0000_0000_0000n);
    expect(result.rflags & STATUS_FLAGS).toBe(OF | SF | AF | PF);
  });

  test('every register and settable flag goes in and comes back unchanged', async () => {
    const registers = {
      rax: 0x0101_0101_0101_0101n,
      rcx: 0x0202n,
      rdx: 0xffff_ffff_ffff_fffen,
      rbx: 0x0404n,
      rsp: 0x0505n,
      rbp: 0x0606n,
      rsi: 0x0707n,
      rdi: 0x0808n,
      r8: 0x0909n,
      r9: 0x0a0an,
      r10: 0x0b0bn,
      r11: 0x0c0cn,
      r12: 0x0d0dn,
      r13: 0x0e0en,
      r14: 0x0f0fn,
      r15: 0x8000_0000_0000_0000n,
    };
    const flags = STATUS_FLAGS | DF | 0x202n;
    const [withFlags, withoutFlags] = await oracle.run([
      { code: hex('90'), registers, rflags: flags },
      { code: hex('90'), rflags: 0n },
    ]);
    expect(withFlags.registers).toEqual(registers);
    expect(withFlags.rflags & (STATUS_FLAGS | DF)).toBe(STATUS_FLAGS | DF);
    expect(withoutFlags.rflags & (STATUS_FLAGS | DF)).toBe(0n); // the previous case's DF did not leak
  });

  test('div ecx by zero is #DE at the div, registers as before it', async () => {
    const result = await runOne({ code: hex('90 f7 f1'), registers: { rax: 7n, rdx: 0n, rcx: 0n } });
    expect(result.status).toBe('fault');
    expect(result.fault).toMatchObject({
      vector: '#DE',
      address: CODE + 1n,
      signal: 'SIGFPE',
      trapNumber: 0,
    });
    expect(result.rip).toBe(CODE + 1n);
    expect(result.registers.rax).toBe(7n);
  });

  test('ud2 is #UD', async () => {
    const result = await runOne({ code: hex('0f 0b') });
    expect(result.fault).toMatchObject({ vector: '#UD', address: CODE, signal: 'SIGILL' });
  });

  test('mov eax, [0] is #PF reading address 0', async () => {
    const result = await runOne({ code: hex('8b 04 25 00 00 00 00') });
    expect(result.fault).toMatchObject({
      vector: '#PF',
      address: CODE,
      pageFaultAddress: 0n,
      access: 'read',
    });
  });

  test('a store into a read-only region is #PF write, and the region is unchanged', async () => {
    const result = await runOne({
      code: hex('c6 00 01'), // mov byte [rax], 1
      registers: { rax: DATA + 2n },
      memory: [{ address: DATA, bytes: hex('aa bb cc dd'), writable: false }],
    });
    expect(result.fault).toMatchObject({ vector: '#PF', pageFaultAddress: DATA + 2n, access: 'write' });
    expect(result.memory[0].bytes).toEqual(hex('aa bb cc dd'));
  });

  test('jumping into data is #PF execute (data pages are not executable)', async () => {
    const result = await runOne({
      code: hex('ff e0'), // jmp rax
      registers: { rax: DATA },
      memory: [{ address: DATA, bytes: hex('90 90') }],
    });
    expect(result.fault).toMatchObject({
      vector: '#PF',
      address: DATA,
      pageFaultAddress: DATA,
      access: 'execute',
    });
    expect(result.rip).toBe(DATA);
  });

  test('hlt in user mode is #GP', async () => {
    const result = await runOne({ code: hex('f4') });
    expect(result.fault).toMatchObject({ vector: '#GP', address: CODE, errorCode: 0, trapNumber: 13 });
  });

  test('int3 and int 3 are #BP at the instruction, with rip after it', async () => {
    const [short, long] = await oracle.run([{ code: hex('90 cc') }, { code: hex('cd 03') }]);
    expect(short.fault).toMatchObject({ vector: '#BP', address: CODE + 1n });
    expect(short.rip).toBe(CODE + 2n);
    expect(long.fault).toMatchObject({ vector: '#BP', address: CODE });
    expect(long.rip).toBe(CODE + 2n);
  });

  test('alignment check (AC set by the case) is #AC through SIGBUS; icebp is #DB', async () => {
    const [alignment, icebp] = await oracle.run([
      {
        code: hex('9c 81 0c 24 00 00 04 00 9d 8b 44 24 01'), // pushfq; or dword [rsp], AC; popfq; mov eax, [rsp+1]
        registers: { rsp: 0x30010n },
        memory: [{ address: 0x30000n, bytes: new Uint8Array(32) }],
      },
      { code: hex('90 f1') },
    ]);
    expect(alignment.fault).toMatchObject({
      vector: '#AC',
      address: CODE + 9n,
      signal: 'SIGBUS',
      trapNumber: 17,
    });
    expect(icebp.fault).toMatchObject({ vector: '#DB', address: CODE + 1n, signal: 'SIGTRAP' });
    expect(icebp.rip).toBe(CODE + 2n);
  });

  test('non-canonical addresses fault (#GP for data; the stack case is recorded in docs/host-cpu.md)', async () => {
    const [data, stack] = await oracle.run([
      { code: hex('48 8b 00'), registers: { rax: 0x8000_0000_0000_0000n } }, // mov rax, [rax]
      { code: hex('50'), registers: { rsp: 0x8000_0000_0000_0010n } }, // push rax
    ]);
    expect(data.fault).toMatchObject({ vector: '#GP', errorCode: 0 });
    expect(['#GP', '#SS']).toContain(stack.fault?.vector);
  });

  test('jmp $ times out and the next case of the batch still runs', async () => {
    const started = performance.now();
    const [loop, after] = await oracle.run([
      { code: hex('eb fe') },
      { code: hex('01 d8'), registers: { rax: 2n, rbx: 3n } },
    ]);
    expect(loop.status).toBe('timeout');
    expect(loop.rip).toBe(CODE);
    expect(after.registers.rax).toBe(5n);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test('syscall never reaches the kernel: exit and write are blocked and reported', async () => {
    const message = new TextEncoder().encode('SHOULD NOT APPEAR\n');
    const [exit, write, after] = await oracle.run([
      { code: hex('b8 3c 00 00 00 31 ff 0f 05') }, // mov eax, 60 (exit); xor edi, edi; syscall
      {
        code: hex('0f 05'), // write(1, DATA, length)
        registers: { rax: 1n, rdi: 1n, rsi: DATA, rdx: BigInt(message.length) },
        memory: [{ address: DATA, bytes: message }],
      },
      { code: hex('90') },
    ]);
    expect(exit.status).toBe('syscall');
    expect(exit.syscall).toEqual({ number: 60, address: CODE + 7n });
    expect(write.status).toBe('syscall');
    expect(write.syscall?.number).toBe(1);
    expect(after.status).toBe('completed'); // the runner survived and its output stream is intact
  });

  test('int 0x80 and sysenter never reach the kernel either', async () => {
    const results = await oracle.run([
      { code: hex('cd 80'), registers: { rax: 1n } }, // i386 exit, if the kernel has a 32-bit gate
      { code: hex('0f 34'), registers: { rax: 1n } },
      { code: hex('90') },
    ]);
    for (const result of results.slice(0, 2)) expect(['syscall', 'fault']).toContain(result.status);
    expect(results[2].status).toBe('completed');
  });

  test('memory round trip: stack pushes, read-modify-write, untouched regions', async () => {
    const result = await runOne({
      code: hex('50 83 03 05'), // push rax; add dword [rbx], 5
      registers: { rax: 0x1122_3344_5566_7788n, rbx: DATA + 0x1ffen, rsp: 0x30010n },
      memory: [
        { address: DATA + 0x1ffen, bytes: hex('01 00 00 00') }, // crosses a page boundary
        { address: 0x30000n, bytes: new Uint8Array(16) },
        { address: 0x40000n, bytes: hex('ee'), writable: false },
      ],
    });
    expect(result.status).toBe('completed');
    expect(result.memory[0]).toEqual({ address: DATA + 0x1ffen, bytes: hex('06 00 00 00') });
    expect(result.memory[1].bytes.subarray(8)).toEqual(hex('88 77 66 55 44 33 22 11'));
    expect(result.registers.rsp).toBe(0x30008n);
    expect(result.memory[2].bytes).toEqual(hex('ee'));
  });

  test('pages of one case are not visible to the next', async () => {
    const [first, second] = await oracle.run([
      {
        code: hex('c7 00 2a 00 00 00'),
        registers: { rax: DATA },
        memory: [{ address: DATA, bytes: new Uint8Array(4) }],
      },
      { code: hex('8b 00'), registers: { rax: DATA } }, // mov eax, [rax]: DATA is no longer mapped
    ]);
    expect(first.memory[0].bytes).toEqual(hex('2a 00 00 00'));
    expect(second.fault).toMatchObject({ vector: '#PF', pageFaultAddress: DATA, access: 'read' });
  });

  test('a reused layout starts from fresh bytes', async () => {
    const storeAndLoad = (value: bigint): NativeCase => ({
      code: hex('8b 18 89 08'), // mov ebx, [rax]; mov [rax], ecx
      registers: { rax: DATA + 4n, rcx: value },
      memory: [
        { address: DATA, bytes: new Uint8Array(4) },
        { address: DATA + 4n, bytes: new Uint8Array(4) },
      ],
    });
    const [first, second] = await oracle.run([storeAndLoad(0x11n), storeAndLoad(0x22n)]);
    expect(first.registers.rbx).toBe(0n);
    expect(second.registers.rbx).toBe(0n); // not 0x11 from the previous case
    expect(second.memory[1].bytes).toEqual(hex('22 00 00 00'));
  });

  test('memory the runner cannot map is rejected with a reason', async () => {
    // 0x400000 is where ld places the runner's own code.
    const result = await runOne({ code: hex('90'), codeAddress: 0x400000n });
    expect(result.status).toBe('rejected');
    expect(result.message).toMatch(/could not map the pages at 0x400000: EEXIST/);
  });

  test('malformed cases are refused before anything runs', async () => {
    await expect(oracle.run([{ code: hex('90'), rflags: 0x100n }])).rejects.toThrow(OracleCaseError); // TF
    await expect(
      oracle.run([{ code: hex('90'), memory: [{ address: CODE + 1n, bytes: hex('00') }] }]),
    ).rejects.toThrow(/overlaps the code/);
  });

  test('a case that kills the runner is reported as crashed and the runner restarts', async () => {
    const [crash, after] = await oracle.run([
      { code: hex('b8 00 00 40 00 ff e0') }, // mov eax, 0x400000; jmp rax — into the runner's own ELF header
      { code: hex('01 d8'), registers: { rax: 40n, rbx: 2n } },
    ]);
    expect(crash.status).toBe('crashed');
    expect(crash.message).toMatch(/oracle runner/);
    expect(after.registers.rax).toBe(42n);
  });

  test('a batch of 10,000 cases', async () => {
    const cases = Array.from({ length: 10_000 }, (_, index) => ({
      code: hex('01 d8'),
      registers: { rax: BigInt(index) * 0x1234_5678n, rbx: 0xffff_ffffn },
    }));
    const results = await oracle.run(cases);
    expect(results).toHaveLength(10_000);
    results.forEach((result, index) => {
      const sum = BigInt(index) * 0x1234_5678n + 0xffff_ffffn;
      expect(result.registers.rax).toBe(sum & 0xffff_ffffn);
      expect(result.rflags & CF).toBe(sum > 0xffff_ffffn ? CF : 0n);
    });
  });

  test('concurrent runs are queued, each gets its own results', async () => {
    const [a, b] = await Promise.all([
      oracle.run([{ code: hex('01 d8'), registers: { rax: 1n, rbx: 1n } }]),
      oracle.run([{ code: hex('01 d8'), registers: { rax: 2n, rbx: 2n } }]),
    ]);
    expect(a[0].registers.rax).toBe(2n);
    expect(b[0].registers.rax).toBe(4n);
  });

  test('the runner is built once into the cache, atomically', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'vial-oracle-cache-'));
    const previous = process.env.VIAL_CACHE_DIR;
    process.env.VIAL_CACHE_DIR = cache;
    try {
      const [first, second] = await Promise.all([ensureRunnerBinary(64), ensureRunnerBinary(64)]);
      expect(second).toBe(first);
      expect(first).toMatch(/oracle\/runner-64-[0-9a-f]{16}$/);
      expect(await readdir(join(cache, 'oracle'))).toEqual([first.split('/').at(-1)]); // no leftover build folders
    } finally {
      if (previous === undefined) delete process.env.VIAL_CACHE_DIR;
      else process.env.VIAL_CACHE_DIR = previous;
      await rm(cache, { recursive: true, force: true });
    }
  });

  test('a closed oracle refuses work', async () => {
    const closing = await createHostOracle({ mode: 64 });
    await closing.close();
    await expect(closing.run([{ code: hex('90') }])).rejects.toThrow(/closed/);
  });
});
