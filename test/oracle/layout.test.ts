// Case layout, wire encoding and fault classification: pure code, runs on any host.
import { describe, expect, test } from 'vitest';
import { classifyFault } from '../../src/oracle/faults.js';
import {
  initialByte,
  OracleCaseError,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  prepareCase,
  terminatorBytes,
} from '../../src/oracle/layout.js';
import { decodeResult, encodeCases, MessageReader, resultSize } from '../../src/oracle/protocol.js';
import type { NativeCase } from '../../src/oracle/types.js';
import { hex } from './support.js';

const RUNNER_CASE_END = 0x401234n;
const jumpBack64 = () => terminatorBytes(64, 0n, RUNNER_CASE_END);
const prepare64 = (testCase: NativeCase) => prepareCase(64, testCase, jumpBack64);
const prepare32 = (testCase: NativeCase) =>
  prepareCase(32, testCase, (codeEnd) => terminatorBytes(32, codeEnd, RUNNER_CASE_END));

describe('terminatorBytes', () => {
  test('64-bit: jmp [rip+0] followed by the absolute address', () => {
    expect(terminatorBytes(64, 0x10002n, RUNNER_CASE_END)).toEqual(
      hex('ff 25 00 00 00 00 34 12 40 00 00 00 00 00'),
    );
  });

  test('32-bit: jmp rel32 relative to the end of the jump', () => {
    // 0x10002 + 5 + rel = 0x401234  =>  rel = 0x3f122d
    expect(terminatorBytes(32, 0x10002n, RUNNER_CASE_END)).toEqual(hex('e9 2d 12 3f 00'));
    // A backward jump wraps modulo 2^32.
    expect(terminatorBytes(32, 0x500000n, RUNNER_CASE_END)).toEqual(hex('e9 2f 12 f0 ff'));
  });
});

describe('prepareCase', () => {
  test('code alone: one read-execute page, code then jump back', () => {
    const prepared = prepare64({ code: hex('01 d8') });
    expect(prepared.runs).toEqual([{ address: 0x10000, length: 0x1000, protection: PROT_READ | PROT_EXEC }]);
    expect(prepared.writes.map((write) => write.address)).toEqual([0x10000, 0x10002]);
    expect(prepared.codeEnd).toBe(0x10002n);
    expect(prepared.rflags).toBe(0x202n);
    expect(initialByte(prepared, 0x10001n)).toBe(0xd8);
    expect(initialByte(prepared, 0x10002n)).toBe(0xff);
    expect(initialByte(prepared, 0x20000n)).toBeUndefined();
  });

  test('regions become page runs: adjacent pages with equal protection merge', () => {
    const prepared = prepare64({
      code: hex('90'),
      memory: [
        { address: 0x20ff0n, bytes: new Uint8Array(0x20) }, // two pages
        { address: 0x22000n, bytes: new Uint8Array(4) }, // adjacent, writable: merges
        { address: 0x30000n, bytes: new Uint8Array(4), writable: false },
      ],
    });
    expect(prepared.runs).toEqual([
      { address: 0x10000, length: 0x1000, protection: PROT_READ | PROT_EXEC },
      { address: 0x20000, length: 0x3000, protection: PROT_READ | PROT_WRITE },
      { address: 0x30000, length: 0x1000, protection: PROT_READ },
    ]);
    expect(prepared.reads).toEqual([
      { address: 0x20ff0, length: 0x20 },
      { address: 0x22000, length: 4 },
      { address: 0x30000, length: 4 },
    ]);
  });

  test('a writable region on the code page makes that page read-write-execute', () => {
    const prepared = prepare64({
      code: hex('90'),
      memory: [{ address: 0x10800n, bytes: new Uint8Array(4) }],
    });
    expect(prepared.runs).toEqual([
      { address: 0x10000, length: 0x1000, protection: PROT_READ | PROT_WRITE | PROT_EXEC },
    ]);
  });

  test('refuses what cannot be run as given, saying why', () => {
    const refusals: [NativeCase, RegExp][] = [
      [{ code: hex('90'), rflags: 0x100n }, /sets 0x100; only CF PF AF ZF SF OF DF/], // TF
      [{ code: hex('90'), rflags: 0x40000n }, /sets 0x40000/], // AC
      [
        { code: hex('90'), memory: [{ address: 0x10000n, bytes: hex('00') }] },
        /memory\[0\].*overlaps the code/,
      ],
      [
        {
          code: hex('90'),
          memory: [
            { address: 0x20000n, bytes: new Uint8Array(8) },
            { address: 0x20004n, bytes: new Uint8Array(8) },
          ],
        },
        /memory\[1\].*overlaps memory\[0\]/,
      ],
      [
        {
          code: hex('90'),
          memory: [
            { address: 0x20000n, bytes: new Uint8Array(8) },
            { address: 0x20100n, bytes: new Uint8Array(8), writable: false },
          ],
        },
        /share the page at 0x20000 but only one is writable/,
      ],
      [{ code: hex('90'), codeAddress: 0x7fff_ffff_f000n }, /outside the 64-bit user address range/],
      [
        { code: hex('90'), registers: { rip: 1n } as unknown as NativeCase['registers'] },
        /unknown register 'rip'/,
      ],
    ];
    for (const [testCase, message] of refusals) {
      expect(() => prepare64(testCase)).toThrow(OracleCaseError);
      expect(() => prepare64(testCase)).toThrow(message);
    }
  });

  test('32-bit mode: registers truncated to 32 bits, r8..r15 refused, 4 GiB address space', () => {
    expect(
      prepare32({ code: hex('90'), registers: { rax: 0x1_ffff_fffen, rbx: -1n } }).gprs.slice(0, 4),
    ).toEqual([0xffff_fffen, 0n, 0n, 0xffff_ffffn]);
    expect(() => prepare32({ code: hex('90'), registers: { r8: 1n } })).toThrow(
      /r8 does not exist in 32-bit mode/,
    );
    expect(() => prepare32({ code: hex('90'), codeAddress: 0xffff_fffen })).toThrow(
      /outside the 32-bit user/,
    );
    expect(prepare64({ code: hex('90'), registers: { rax: -1n } }).gprs[0]).toBe(0xffff_ffff_ffff_ffffn);
  });
});

describe('wire format', () => {
  test('a case encodes to the sizes runner.c expects', () => {
    const prepared = prepare64({
      code: hex('90'),
      registers: { rax: 0x1122_3344_5566_7788n, r15: 1n },
      memory: [{ address: 0x20000n, bytes: hex('01 02 03') }],
    });
    const bytes = encodeCases([prepared]);
    // header 160 + 2 runs * 24 + 1 read * 16 + writes: code (16 + 8), jump (16 + 16), region (16 + 8)
    expect(bytes.length).toBe(160 + 48 + 16 + 24 + 32 + 24);
    expect(bytes.readUInt32LE(0)).toBe(0x53414356);
    expect(bytes.readBigUInt64LE(16)).toBe(0x1122_3344_5566_7788n);
    expect(bytes.readBigUInt64LE(16 + 15 * 8)).toBe(1n);
    expect(bytes.readBigUInt64LE(152)).toBe(0x10000n);
    expect(bytes.readBigUInt64LE(160 + 24)).toBe(0x20000n); // second run
  });

  test('messages are cut out of arbitrary stdout chunks', () => {
    const reader = new MessageReader();
    reader.push(Buffer.from([1, 2, 3]));
    expect(reader.take(4)).toBeUndefined();
    reader.push(Buffer.from([4, 5]));
    expect([...(reader.take(4) ?? [])]).toEqual([1, 2, 3, 4]);
    expect([...(reader.take(1) ?? [])]).toEqual([5]);
    expect(reader.take(1)).toBeUndefined();
  });

  test('a result decodes field by field', () => {
    const lengths = [3, 8];
    const bytes = Buffer.alloc(resultSize(lengths));
    expect(bytes.length).toBe(200 + 8 + 8);
    bytes.writeUInt32LE(0x53455256, 0);
    bytes.writeUInt32LE(1, 4);
    bytes.writeBigUInt64LE(0xabcn, 8 + 3 * 8); // rbx
    bytes.writeBigUInt64LE(0x10246n, 136);
    bytes.writeUInt32LE(14, 160);
    bytes.writeBigUInt64LE(0xdead000n, 168);
    bytes.set([1, 2, 3], 200);
    bytes.set([9, 9, 9, 9, 9, 9, 9, 9], 208);
    const result = decodeResult(bytes, lengths);
    expect(result).toMatchObject({ status: 1, flags: 0x10246n, trapNumber: 14, cr2: 0xdead000n });
    expect(result.gprs[3]).toBe(0xabcn);
    expect(result.reads).toEqual([Uint8Array.of(1, 2, 3), new Uint8Array(8).fill(9)]);
  });
});

describe('classifyFault', () => {
  const report = { signal: 11, signalCode: 128, trapNumber: 13, errorCode: 0, ip: 0x10005n, cr2: 0n };
  const noBytes = () => undefined;

  test('the trap number decides the vector', () => {
    expect(classifyFault({ ...report, trapNumber: 5 }, noBytes).vector).toBe('#BR');
    expect(classifyFault({ ...report, trapNumber: 4 }, noBytes).vector).toBe('#OF');
    expect(classifyFault({ ...report, signal: 7, trapNumber: 12 }, noBytes).vector).toBe('#SS');
    expect(classifyFault({ ...report, signal: 7, trapNumber: 17 }, noBytes).vector).toBe('#AC');
    expect(classifyFault({ ...report, signal: 8, trapNumber: 0 }, noBytes)).toMatchObject({
      vector: '#DE',
      signal: 'SIGFPE',
    });
  });

  test('without a known trap number the signal decides', () => {
    expect(classifyFault({ ...report, signal: 4, trapNumber: 99 }, noBytes).vector).toBe('#UD');
    expect(classifyFault({ ...report, signal: 8, trapNumber: 99 }, noBytes).vector).toBe('#DE');
  });

  test('page faults: CR2 and the access kind from the error code', () => {
    const pageFault = { ...report, trapNumber: 14, cr2: 0x20000n };
    expect(classifyFault({ ...pageFault, errorCode: 0x4 }, noBytes)).toMatchObject({
      access: 'read',
      pageFaultAddress: 0x20000n,
    });
    expect(classifyFault({ ...pageFault, errorCode: 0x6 }, noBytes).access).toBe('write');
    expect(classifyFault({ ...pageFault, errorCode: 0x15 }, noBytes).access).toBe('execute');
  });

  test('trap-class vectors are reported at the instruction that trapped', () => {
    const code = new Map<bigint, number>([
      [0x10003n, 0xcd],
      [0x10004n, 0x03],
    ]);
    const bytes = (address: bigint) => code.get(address);
    expect(classifyFault({ ...report, signal: 5, trapNumber: 3 }, bytes).address).toBe(0x10003n);
    expect(classifyFault({ ...report, signal: 5, trapNumber: 3 }, () => 0xcc).address).toBe(0x10004n);
    expect(classifyFault({ ...report, trapNumber: 4 }, () => 0xce).address).toBe(0x10004n);
    expect(classifyFault({ ...report, signal: 5, trapNumber: 1 }, () => 0xf1).address).toBe(0x10004n); // icebp
    expect(classifyFault({ ...report, signal: 5, trapNumber: 1 }, () => 0x90).address).toBe(0x10005n); // single step
    expect(classifyFault({ ...report, trapNumber: 13 }, () => 0xcc).address).toBe(0x10005n); // a fault: ip itself
  });
});
