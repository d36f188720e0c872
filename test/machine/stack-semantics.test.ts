import { describe, expect, it } from 'vitest';
import { assembleOrThrow } from '../../src/assembler/index.js';
import { Machine, type UndefinedPolicy } from '../../src/machine/index.js';

const STACK_TOP = 0x7000_8000n;

function machineWith(source: string, options: { mode?: 32 | 64; policy?: UndefinedPolicy } = {}): Machine {
  const mode = options.mode ?? 64;
  const machine = new Machine({ mode, policy: options.policy ?? 'track', maxSteps: 10_000 });
  const { bytes } = assembleOrThrow(`bits ${mode}\n${source}`, { mode, origin: 0x1000 });
  machine.loadCode(bytes, 0x1000n);
  machine.memory.map(0x7000_0000n, 0x10000, 0b011, 'undefined');
  machine.setRegister(mode === 64 ? 'rsp' : 'esp', STACK_TOP);
  return machine;
}

/** Little-endian unsigned integer of `length` bytes at `address`, with its undefined bits. */
function readMemory(machine: Machine, address: bigint, length: number): { bits: bigint; undefined: bigint } {
  const { bytes, undefinedBits } = machine.memory.readBytes(address, length);
  let bits = 0n;
  let mask = 0n;
  for (let i = length - 1; i >= 0; i--) {
    bits = (bits << 8n) | BigInt(bytes[i]);
    mask = (mask << 8n) | BigInt(undefinedBits[i]);
  }
  return { bits, undefined: mask };
}

describe('pushf / popf', () => {
  it('pushfq stores the modelled flags with bit 1 and IF set; undefined flags stay undefined', () => {
    const machine = machineWith('stc\nstd\npushfq');
    expect(machine.run().reason).toBe('end');
    const image = readMemory(machine, STACK_TOP - 8n, 8);
    // CF (0) and DF (10) defined 1, bits 1 and 9 set; PF AF ZF SF OF never set: undefined.
    expect(image.bits).toBe(0x603n);
    expect(image.undefined).toBe((1n << 2n) | (1n << 4n) | (1n << 6n) | (1n << 7n) | (1n << 11n));
    expect(machine.getRegister('rsp').bits).toBe(STACK_TOP - 8n);
  });

  it('popfq sets CF PF AF ZF SF DF OF from the popped value and ignores TF, IF, AC', () => {
    const machine = machineWith('mov rax, 0x40_0fd5 ^ 0x200\npush rax\npopfq');
    expect(machine.run().reason).toBe('end');
    const flags = machine.getFlags();
    expect(flags.undefinedMask).toBe(0n);
    expect(flags.bits).toBe(0xed7n); // CF PF AF ZF SF DF OF, with bits 1 and 9 as always
  });

  it('o16 pushf / popf move 16 bits; popping undefined bytes makes the flags undefined', () => {
    const machine = machineWith('clc\npushfw\nadd rsp, 2\npush word 0x0001\npopfw\nsub rsp, 8\npopfw');
    expect(machine.run().reason).toBe('end');
    expect(readMemory(machine, STACK_TOP - 2n, 2).bits).toBe(1n); // push word overwrote pushfw's image
    expect(readMemory(machine, STACK_TOP - 4n, 2).undefined).toBe(0xffffn); // pushfw wrote 2 bytes only
    expect(machine.getFlag('CF').isUnknown).toBe(true); // the last popf read never-written stack
  });
});

describe('pusha / popa (32-bit mode)', () => {
  it('pushad stores EAX..EDI with the original ESP; popad restores all but ESP', () => {
    const machine = machineWith(
      [
        'mov eax, 1',
        'mov ecx, 2',
        'mov edx, 3',
        'mov ebx, 4',
        'mov ebp, 6',
        'mov esi, 7',
        'mov edi, 8',
        'pushad',
        'mov dword [esp + 12], 0x44', // ESP's slot is ignored by popad
        'mov dword [esp], 0x88',
        'xor eax, eax',
        'popad',
      ].join('\n'),
      { mode: 32 },
    );
    expect(machine.run().reason).toBe('end');
    expect(readMemory(machine, STACK_TOP - 16n, 4).bits).toBe(4n); // EBX
    expect(readMemory(machine, STACK_TOP - 20n, 4).bits).toBe(0x44n); // the ESP slot, overwritten
    expect(readMemory(machine, STACK_TOP - 4n, 4).bits).toBe(1n); // EAX pushed first
    expect(machine.getRegister('eax').toCoarse()).toBe(1);
    expect(machine.getRegister('edi').toCoarse()).toBe(0x88);
    expect(machine.getRegister('esp').bits).toBe(STACK_TOP);
  });

  it('pushaw pushes the 16-bit registers, SP as it was', () => {
    const machine = machineWith('mov ax, 0x1234\npushaw', { mode: 32 });
    expect(machine.run().reason).toBe('end');
    expect(readMemory(machine, STACK_TOP - 2n, 2).bits).toBe(0x1234n);
    expect(readMemory(machine, STACK_TOP - 10n, 2).bits).toBe(STACK_TOP & 0xffffn);
    expect(machine.getRegister('esp').bits).toBe(STACK_TOP - 16n);
  });
});

describe('enter', () => {
  it('enter 0x20, 0: push rbp; rbp := rsp; rsp -= 0x20 (leave undoes it)', () => {
    const machine = machineWith('mov rbp, 0x1234\nenter 0x20, 0');
    expect(machine.run().reason).toBe('end');
    expect(readMemory(machine, STACK_TOP - 8n, 8).bits).toBe(0x1234n);
    expect(machine.getRegister('rbp').bits).toBe(STACK_TOP - 8n);
    expect(machine.getRegister('rsp').bits).toBe(STACK_TOP - 8n - 0x20n);
    const roundTrip = machineWith('mov rbp, 0x1234\nenter 0x20, 0\nleave');
    roundTrip.run();
    expect(roundTrip.getRegister('rbp').bits).toBe(0x1234n);
    expect(roundTrip.getRegister('rsp').bits).toBe(STACK_TOP);
  });

  it('nesting level 3 copies two frame pointers from below rbp, then pushes the new frame pointer', () => {
    const frame = STACK_TOP - 0x100n;
    const machine = machineWith(
      `mov rbp, ${frame}\nmov qword [rbp - 8], 0x11\nmov qword [rbp - 16], 0x22\nenter 8, 3`,
    );
    expect(machine.run().reason).toBe('end');
    const frameTemp = STACK_TOP - 8n;
    expect(readMemory(machine, STACK_TOP - 8n, 8).bits).toBe(frame);
    expect(readMemory(machine, STACK_TOP - 16n, 8).bits).toBe(0x11n);
    expect(readMemory(machine, STACK_TOP - 24n, 8).bits).toBe(0x22n);
    expect(readMemory(machine, STACK_TOP - 32n, 8).bits).toBe(frameTemp);
    expect(machine.getRegister('rbp').bits).toBe(frameTemp);
    expect(machine.getRegister('rsp').bits).toBe(STACK_TOP - 32n - 8n);
  });

  it('the level is taken mod 32; a final rSP that cannot be written faults before any change', () => {
    const machine = machineWith('mov rbp, 0x1234\nenter 0, 32');
    machine.run();
    expect(machine.getRegister('rsp').bits).toBe(STACK_TOP - 8n);
    const faulting = machineWith('mov rbp, 0x1234\nenter 0xffff, 0');
    faulting.setRegister('rsp', 0x7000_0010n);
    const stop = faulting.run();
    expect(stop.reason).toBe('fault');
    expect(stop.fault).toBe('#PF');
    expect(faulting.getRegister('rsp').bits).toBe(0x7000_0010n);
  });
});
