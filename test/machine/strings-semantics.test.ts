import { describe, expect, it } from 'vitest';
import { assembleOrThrow } from '../../src/assembler/index.js';
import { Machine, type UndefinedPolicy } from '../../src/machine/index.js';

const DATA = 0x7000_0000n;

/** Assembles NASM source at 0x1000, maps 64 KiB of data (undefined unless written) and a stack. */
function machineWith(source: string, options: { mode?: 32 | 64; policy?: UndefinedPolicy } = {}): Machine {
  const mode = options.mode ?? 64;
  const machine = new Machine({ mode, policy: options.policy ?? 'track', maxSteps: 10_000 });
  const { bytes } = assembleOrThrow(`bits ${mode}\n${source}`, { mode, origin: 0x1000 });
  machine.loadCode(bytes, 0x1000n);
  machine.memory.map(DATA, 0x10000, 0b011, 'undefined');
  machine.setRegister(mode === 64 ? 'rsp' : 'esp', DATA + 0x8000n);
  machine.setFlag('DF', 0);
  return machine;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('string instructions on the machine', () => {
  it('rep movsb copies rCX bytes, one iteration per step, and leaves the pointers past the copy', () => {
    const machine = machineWith('rep movsb');
    machine.memory.writeBytes(DATA, new TextEncoder().encode('hello'));
    machine.setRegister('rsi', DATA);
    machine.setRegister('rdi', DATA + 0x100n);
    machine.setRegister('rcx', 5);
    expect(machine.step()).toBeNull();
    expect(machine.getRegister('rip').bits).toBe(0x1000n); // re-executes itself
    expect(machine.getRegister('rcx').bits).toBe(4n);
    expect(machine.run().reason).toBe('end');
    expect(machine.steps).toBe(5);
    expect(text(machine.memory.readBytes(DATA + 0x100n, 5).bytes)).toBe('hello');
    expect(machine.getRegister('rcx').toCoarse()).toBe(0n);
    expect(machine.getRegister('rsi').bits).toBe(DATA + 5n);
    expect(machine.getRegister('rdi').bits).toBe(DATA + 0x105n);
  });

  it('rep with rCX = 0 touches no memory (unmapped pointers do not fault) and changes nothing', () => {
    const machine = machineWith('rep movsq');
    machine.setRegister('rsi', 0x10n);
    machine.setRegister('rdi', 0x20n);
    machine.setRegister('rcx', 0);
    expect(machine.run().reason).toBe('end');
    expect(machine.steps).toBe(1);
    expect(machine.getRegister('rsi').bits).toBe(0x10n);
    expect(machine.getRegister('rdi').bits).toBe(0x20n);
  });

  it('std; rep stosd fills downwards from rDI', () => {
    const machine = machineWith('std\nrep stosd');
    machine.setRegister('eax', 0xdead_beef);
    machine.setRegister('rdi', DATA + 8n);
    machine.setRegister('rcx', 3);
    expect(machine.run().reason).toBe('end');
    const { bytes, undefinedBits } = machine.memory.readBytes(DATA, 12);
    expect(Array.from(undefinedBits)).toEqual(new Array(12).fill(0));
    expect(new DataView(bytes.buffer).getUint32(0, true)).toBe(0xdead_beef);
    expect(new DataView(bytes.buffer).getUint32(8, true)).toBe(0xdead_beef);
    expect(machine.getRegister('rdi').bits).toBe(DATA - 4n);
  });

  it('repne scasb finds the terminator (the strlen idiom)', () => {
    const machine = machineWith('xor eax, eax\nmov rcx, -1\nrepne scasb\nnot rcx\ndec rcx');
    machine.memory.writeBytes(DATA, new TextEncoder().encode('vial\0'));
    machine.setRegister('rdi', DATA);
    expect(machine.run().reason).toBe('end');
    expect(machine.getRegister('rcx').toCoarse()).toBe(4n);
    expect(machine.getRegister('rdi').bits).toBe(DATA + 5n);
  });

  it('repe cmpsb stops at the first difference with the flags of that comparison', () => {
    const machine = machineWith('mov ecx, 8\nrepe cmpsb');
    machine.memory.writeBytes(DATA, new TextEncoder().encode('abcdefgh'));
    machine.memory.writeBytes(DATA + 0x10n, new TextEncoder().encode('abcXefgh'));
    machine.setRegister('rsi', DATA);
    machine.setRegister('rdi', DATA + 0x10n);
    expect(machine.run().reason).toBe('end');
    expect(machine.getRegister('rcx').toCoarse()).toBe(4n); // stopped after comparing 'd' with 'X'
    expect(machine.getFlag('ZF').toCoarse()).toBe(0);
    expect(machine.getFlag('CF').toCoarse()).toBe(0); // 'd' (0x64) - 'X' (0x58): no borrow
  });

  it('lods with an FS override reads FS:[rSI]; stos ignores an override (ES:[rDI])', () => {
    const machine = machineWith('db 0x64\nlodsw\ndb 0x64\nstosw'); // FS overrides;
    machine.setSegmentBase('fs', DATA + 0x1000n);
    machine.memory.writeBytes(DATA + 0x1004n, Uint8Array.of(0x34, 0x12));
    machine.setRegister('rsi', 4);
    machine.setRegister('rdi', DATA + 0x20n);
    expect(machine.run().reason).toBe('end');
    expect(machine.getRegister('ax').toCoarse()).toBe(0x1234);
    expect(Array.from(machine.memory.readBytes(DATA + 0x20n, 2).bytes)).toEqual([0x34, 0x12]);
  });

  it('a 67 prefix uses ESI/EDI/ECX and zero-extends them; rCX = 0 leaves even the upper half alone', () => {
    const machine = machineWith('a32 rep movsb');
    machine.memory.writeBytes(DATA, Uint8Array.of(1, 2));
    machine.setRegister('rsi', 0xffff_0000_0000_0000n | DATA);
    machine.setRegister('rdi', 0x1234_0000_0000_0000n | (DATA + 0x10n));
    machine.setRegister('rcx', 0xaaaa_0000_0000_0002n);
    expect(machine.run().reason).toBe('end');
    expect(machine.getRegister('rsi').bits).toBe(DATA + 2n);
    expect(machine.getRegister('rdi').bits).toBe(DATA + 0x12n);
    expect(machine.getRegister('rcx').toString()).toBe('0x0000_0000_0000_0000');
    const idle = machineWith('a32 rep stosb');
    idle.setRegister('rcx', 0xaaaa_0000_0000_0000n);
    idle.setRegister('rdi', 0x5555_0000_0000_0000n);
    expect(idle.run().reason).toBe('end');
    expect(idle.getRegister('rcx').bits).toBe(0xaaaa_0000_0000_0000n);
    expect(idle.getRegister('rdi').bits).toBe(0x5555_0000_0000_0000n);
  });

  it('32-bit mode: rep movsd with ECX/ESI/EDI', () => {
    const machine = machineWith('rep movsd', { mode: 32 });
    machine.memory.writeBytes(DATA, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    machine.setRegister('esi', DATA);
    machine.setRegister('edi', DATA + 0x40n);
    machine.setRegister('ecx', 2);
    expect(machine.run().reason).toBe('end');
    expect(Array.from(machine.memory.readBytes(DATA + 0x40n, 8).bytes)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(machine.getRegister('edi').bits).toBe(DATA + 0x48n);
  });

  it('32-bit mode with a 67 prefix: SI/DI/CX wrap at 16 bits and the upper halves are kept', () => {
    const machine = new Machine({ mode: 32, policy: 'track', maxSteps: 100 });
    machine.loadCode(Uint8Array.of(0x67, 0xf3, 0xa4), 0x2_0000n); // a16 rep movsb
    machine.memory.map(0n, 0x10000, 0b011, 'zero');
    machine.memory.writeBytes(0xffffn, Uint8Array.of(0xaa));
    machine.memory.writeBytes(0n, Uint8Array.of(0xbb));
    machine.setRegister('esi', 0x1234_ffff);
    machine.setRegister('edi', 0x5678_0100);
    machine.setRegister('ecx', 0x9abc_0002);
    machine.setFlag('DF', 0);
    expect(machine.run().reason).toBe('end');
    expect(Array.from(machine.memory.readBytes(0x100n, 2).bytes)).toEqual([0xaa, 0xbb]);
    expect(machine.getRegister('esi').bits).toBe(0x1234_0001n);
    expect(machine.getRegister('edi').bits).toBe(0x5678_0102n);
    expect(machine.getRegister('ecx').bits).toBe(0x9abc_0000n);
  });

  it('undefined bytes copy as undefined; scas on them leaves the flags undefined', () => {
    const machine = machineWith('mov ecx, 2\nrep movsb\nmov al, 0\nscasb');
    machine.setRegister('rsi', DATA + 0x100n); // never written: undefined
    machine.setRegister('rdi', DATA + 0x200n);
    expect(machine.run().reason).toBe('end');
    expect(Array.from(machine.memory.readBytes(DATA + 0x200n, 2).undefinedBits)).toEqual([0xff, 0xff]);
    expect(machine.getFlag('ZF').isUnknown).toBe(true);
    expect(machine.getRegister('rdi').bits).toBe(DATA + 0x203n);
  });

  it('strict: a repeat whose count is undefined stops (whether to go on depends on undefined bits)', () => {
    const machine = machineWith('rep stosb', { policy: 'strict' });
    machine.setRegister('rdi', DATA);
    machine.setRegister('al', 0);
    const stop = machine.run();
    expect(stop.reason).toBe('strict');
    expect(stop.message).toMatch(/rep stosb/);
  });
});
