/**
 * Guest memory helpers: the allocator (defined or undefined fill, guard pages, permissions),
 * bytes, strings and arrays written by the test and read back after the guest touched them.
 */
import { describe, expect, test } from 'vitest';
import { Machine, MemoryMapError, Undefined, UndefinedMemoryError } from '../../src/index.js';

describe('alloc', () => {
  test('aligned blocks, defined zeros by default, distinct and non-overlapping', () => {
    const machine = new Machine({ mode: 64 });
    const blocks = [1, 7, 100, 4096, 5000].map((size) => ({
      size,
      address: machine.alloc(size, { align: 64 }),
    }));
    for (const { size, address } of blocks) {
      expect(address % 64n).toBe(0n);
      expect(machine.readBytes(address, size)).toEqual(new Uint8Array(size));
    }
    const sorted = [...blocks].sort((a, b) => Number(a.address - b.address));
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i].address).toBeGreaterThanOrEqual(sorted[i - 1].address + BigInt(sorted[i - 1].size));
    }
  });

  test('32-bit machines get addresses below 4 GiB', () => {
    const machine = new Machine({ mode: 32 });
    expect(machine.alloc(16)).toBeLessThan(2n ** 32n);
  });

  test('a byte fill, and bad options, are checked', () => {
    const machine = new Machine({ mode: 64 });
    expect([...machine.readBytes(machine.alloc(4, { fill: 0xcc }), 4)]).toEqual([0xcc, 0xcc, 0xcc, 0xcc]);
    expect(() => machine.alloc(-1)).toThrow(/alloc size -1/);
    expect(() => machine.alloc(8, { align: 3 })).toThrow(/power of two/);
    expect(() => machine.alloc(8, { fill: 256 })).toThrow(/byte 0..255/);
    expect(() => machine.alloc(8, { permissions: 'rwz' })).toThrow(/bad permissions/);
  });

  test("fill: 'undefined' lets a test catch reads of uninitialised memory", () => {
    const source =
      'first:\n  mov rax, [rdi]\n  ret\nbranchy:\n  cmp byte [rdi], 0\n  je .z\n  mov eax, 1\n.z:\n  ret';
    const track = new Machine({ mode: 64, policy: 'track' });
    track.assemble(source);
    const block = track.alloc(16, { fill: 'undefined' });
    expect(() => track.readBytes(block, 16)).toThrow(UndefinedMemoryError);
    expect(track.readBytes(block, 2, { allowUndefined: true })).toEqual(new Uint8Array(2));
    expect(track.call('first', [block]).value.isUnknown).toBe(true);
    track.writeBytes(block, [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(track.call('first', [block]).expectReturn()).toBe(0x0807060504030201n);

    const strict = new Machine({ mode: 64, policy: 'strict' });
    strict.assemble(source);
    const result = strict.call('branchy', [strict.alloc(1, { fill: 'undefined' })]);
    expect(result.stop.reason).toBe('strict');
    expect(result.stopDisassembly).toMatch(/^je /);
  });

  test('a block ends against an unmapped guard page: an overrun faults', () => {
    const machine = new Machine({ mode: 64 });
    machine.assemble('fill:\n  mov al, 0x55\n  mov rcx, rsi\n  rep stosb\n  ret');
    const block = machine.alloc(32);
    expect(machine.call('fill', [block, 32]).ok).toBe(true);
    expect([...machine.readBytes(block, 32)].every((byte) => byte === 0x55)).toBe(true);
    const overrun = machine.call('fill', [block, 33]);
    expect(overrun.stop.fault).toBe('#PF');
    expect(overrun.stop.pageFault?.address).toBe(block + 32n);
  });

  test('read-only blocks fault on guest writes', () => {
    const machine = new Machine({ mode: 64 });
    machine.assemble('poke:\n  mov byte [rdi], 1\n  ret');
    const result = machine.call('poke', [machine.alloc(8, { permissions: 'r' })]);
    expect(result.stop.pageFault?.reason).toBe('protection');
  });
});

describe('bytes, strings, arrays', () => {
  test('readBytes/writeBytes: round trip, and unmapped memory is a typed error', () => {
    const machine = new Machine({ mode: 64 });
    const block = machine.alloc(4);
    machine.writeBytes(block, Uint8Array.from([9, 8, 7, 6]));
    expect([...machine.readBytes(block, 4)]).toEqual([9, 8, 7, 6]);
    expect(() => machine.readBytes(0x1000, 4)).toThrow(MemoryMapError);
    expect(() => machine.writeBytes(block, [256])).toThrow(/byte 0 is 256/);
  });

  test('writeString/readString: UTF-8, NUL-terminated, read back after a guest strlen', () => {
    const machine = new Machine({ mode: 64, policy: 'strict' });
    machine.assemble(
      'strlen:\n  mov rax, rdi\n.next:\n  cmp byte [rax], 0\n  je .done\n  inc rax\n  jmp .next\n.done:\n  sub rax, rdi\n  ret',
    );
    const text = 'grüße, 世界 🎉';
    const address = machine.writeString(text);
    expect(machine.readString(address)).toBe(text);
    expect(machine.call('strlen', [address]).expectReturn()).toBe(
      BigInt(new TextEncoder().encode(text).length),
    );
    const fixed = machine.alloc(16);
    expect(machine.writeString('ab', fixed)).toBe(fixed);
    expect([...machine.readBytes(fixed, 4)]).toEqual([0x61, 0x62, 0, 0]);
  });

  test('readString refuses invalid UTF-8, a missing NUL and undefined bytes', () => {
    const machine = new Machine({ mode: 64 });
    const bad = machine.alloc(3);
    machine.writeBytes(bad, [0xc3, 0x28, 0]);
    expect(() => machine.readString(bad)).toThrow(/not valid UTF-8/);
    // 16 bytes (a multiple of the alignment) end exactly at the guard page.
    const unterminated = machine.alloc(16, { fill: 0x41 });
    expect(() => machine.readString(unterminated, { maxLength: 4 })).toThrow(/no NUL within 4/);
    expect(() => machine.readString(unterminated)).toThrow(MemoryMapError);
    expect(() => machine.readString(machine.alloc(4, { fill: 'undefined' }))).toThrow(UndefinedMemoryError);
  });

  test('writeArray/readArray: typed arrays, widths, signedness, guest sum', () => {
    const machine = new Machine({ mode: 64, policy: 'strict' });
    machine.assemble(
      'sum32:\n  xor eax, eax\n.next:\n  test rsi, rsi\n  jz .done\n  add eax, [rdi]\n  add rdi, 4\n  dec rsi\n  jmp .next\n.done:\n  ret',
    );
    const values = Int32Array.from([5, -7, 2_000_000_000, -2_000_000_000, 1]);
    const address = machine.writeArray('alloc', values);
    expect(machine.readArray(address, values.length, 32, { signed: true })).toEqual([...values]);
    expect(machine.readArray(address, 2, 32)).toEqual([5, 2 ** 32 - 7]);
    const sum = values.reduce((a, b) => (a + b) | 0, 0);
    expect(machine.call('sum32', [address, values.length]).expectReturn({ width: 32, signed: true })).toBe(
      BigInt(sum),
    );

    const wide = machine.writeArray('alloc', BigInt64Array.from([-1n, 2n ** 62n]));
    expect(machine.readArray(wide, 2, 64, { signed: true })).toEqual([-1n, 2n ** 62n]);
    expect(machine.readArray(wide, 2, 64)).toEqual([2n ** 64n - 1n, 2n ** 62n]);
    const bytes = machine.writeArray('alloc', [1, 255, -128], 8);
    expect(machine.readArray(bytes, 3, 8, { signed: true })).toEqual([1, -1, -128]);
    const halves = machine.writeArray(machine.alloc(4), Uint16Array.from([0xbeef, 7]));
    expect(machine.readArray(halves, 2, 16)).toEqual([0xbeef, 7]);
  });

  test('readArray reports undefined elements as Undefined', () => {
    const machine = new Machine({ mode: 64 });
    const block = machine.alloc(8, { fill: 'undefined' });
    machine.writeArray(block, [42], 32);
    expect(machine.readArray(block, 2, 32)).toEqual([42, Undefined]);
  });

  test('writeArray errors name the element and what fits', () => {
    const machine = new Machine({ mode: 64 });
    expect(() => machine.writeArray('alloc', [1, 2, 256], 8)).toThrow(
      /element 2 is 256: .*fit in 8 bits \(accepted: -128..255\)/,
    );
    expect(() => machine.writeArray('alloc', [1, 2])).toThrow(/elementBits must be 8, 16, 32 or 64/);
    expect(() => machine.writeArray('alloc', Int32Array.from([1]), 64)).toThrow(
      /Int32Array has 32-bit elements/,
    );
    expect(() => machine.writeArray('alloc', [0.5], 32)).toThrow(/element 0 is 0.5: not an integer/);
  });
});

describe('memory of a zero-mode machine', () => {
  test('holds no undefined byte: an undefined mapping is defined zeros, undefined bits written read as 0', () => {
    const zero = new Machine({ mode: 64, policy: 'zero' });
    zero.memory.map(0x9000n, 16, 0b011, 'undefined');
    zero.memory.writeBytes(0x9004n, Uint8Array.of(0xff, 0xff), Uint8Array.of(0x0f, 0xff));
    expect(zero.memory.readBytes(0x9000n, 8)).toEqual({
      bytes: Uint8Array.of(0, 0, 0, 0, 0xf0, 0, 0, 0),
      undefinedBits: new Uint8Array(8),
    });
    // The same in track mode keeps the undefined bits.
    const track = new Machine({ mode: 64, policy: 'track' });
    track.memory.map(0x9000n, 16, 0b011, 'undefined');
    track.memory.writeBytes(0x9004n, Uint8Array.of(0xff, 0xff), Uint8Array.of(0x0f, 0xff));
    expect(track.memory.readBytes(0x9000n, 8).undefinedBits).toEqual(
      Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 0xff, 0xff, 0xff),
    );
  });
});
