import { describe, expect, it } from 'vitest';
import { assembleOrThrow } from '../../src/assembler/index.js';
import { Machine, type UndefinedPolicy } from '../../src/machine/index.js';
import { Undefined, Value } from '../../src/value/index.js';

/** Assembles NASM source for `mode`, loads it at 0x1000 and returns the machine (not yet run). */
function machineWith(source: string, options: { mode?: 32 | 64; policy?: UndefinedPolicy } = {}): Machine {
  const mode = options.mode ?? 64;
  const machine = new Machine({ mode, policy: options.policy ?? 'track', maxSteps: 100_000 });
  const { bytes } = assembleOrThrow(`bits ${mode}\n${source}`, { mode, origin: 0x1000 });
  machine.loadCode(bytes, 0x1000n);
  machine.memory.map(0x7000_0000n, 0x10000, 0b011, 'undefined');
  machine.setRegister(mode === 64 ? 'rsp' : 'esp', 0x7000_8000n);
  return machine;
}

describe('machine: registers alias bit-exactly', () => {
  it('writing AH changes bits 8..15 of RAX only', () => {
    const machine = machineWith('mov ah, 0x12');
    machine.setRegister('rax', 0x1111_2222_3333_4444n);
    expect(machine.run().reason).toBe('end');
    expect(machine.getRegister('rax').bits).toBe(0x1111_2222_3333_1244n);
  });

  it('a 32-bit write zero-extends in 64-bit mode (upper half a defined 0); 16- and 8-bit writes do not', () => {
    const machine = machineWith('mov eax, 1\nmov bx, 2\nmov cl, 3');
    expect(machine.run().reason).toBe('end');
    expect(machine.getRegister('rax').toString()).toBe('0x0000_0000_0000_0001');
    expect(machine.getRegister('rbx').toString()).toBe('0x????_????_????_0002');
    expect(machine.getRegister('rcx').toString()).toBe('0x????_????_????_??03');
  });

  it('90 is a true NOP, but 87 C0 (xchg eax, eax) zero-extends', () => {
    const nop = new Machine({ mode: 64 });
    nop.loadCode(Uint8Array.of(0x90), 0x1000n);
    nop.setRegister('rax', 0xffff_ffff_0000_0001n);
    nop.run();
    expect(nop.getRegister('rax').bits).toBe(0xffff_ffff_0000_0001n);
    const xchg = new Machine({ mode: 64 });
    xchg.loadCode(Uint8Array.of(0x87, 0xc0), 0x1000n);
    xchg.setRegister('rax', 0xffff_ffff_0000_0001n);
    xchg.run();
    expect(xchg.getRegister('rax').bits).toBe(1n);
  });

  it('cmov with a false condition still zero-extends a 32-bit destination', () => {
    const machine = machineWith('cmp eax, eax\ncmovne ebx, ecx');
    machine.setRegister('rbx', 0xffff_ffff_0000_0005n);
    machine.run();
    expect(machine.getRegister('rbx').toString()).toBe('0x0000_0000_0000_0005');
  });
});

describe('machine: undefined values', () => {
  it("the seed's div example: quotient defined, all six flags undefined (gcc's xor edx, edx idiom)", () => {
    const machine = machineWith('mov eax, 7\nxor edx, edx\nmov ecx, 2\ndiv ecx');
    expect(machine.run().reason).toBe('end');
    expect(machine).toMatchDefined({ registers: { rax: 3n, rdx: 1n } });
    expect(machine).toHaveFlags({
      CF: Undefined,
      OF: Undefined,
      SF: Undefined,
      ZF: Undefined,
      AF: Undefined,
      PF: Undefined,
      DF: 0,
    });
  });

  it('xor r, r and sub r, r are defined zeros with defined flags, whatever r was', () => {
    for (const idiom of ['xor eax, eax', 'sub eax, eax']) {
      const machine = machineWith(idiom);
      machine.run();
      expect(machine).toHaveRegister('rax', 0n);
      expect(machine).toHaveFlags({ ZF: 1, CF: 0 });
    }
  });

  it('sbb r, r depends only on CF', () => {
    const machine = machineWith('stc\nsbb edx, edx');
    machine.run();
    expect(machine).toHaveRegister('edx', -1);
  });

  it('bsf of a zero source leaves all 64 bits of the destination undefined in 64-bit mode', () => {
    const machine = machineWith('xor ecx, ecx\nmov rax, -1\nbsf eax, ecx');
    machine.run();
    expect(machine.getRegister('rax')).toBeUndefinedValue();
    expect(machine).toHaveFlags({ ZF: 1 });
  });

  it('shift flags are exact: count 0 leaves them, count 1 defines OF, more leaves OF undefined', () => {
    const byZero = machineWith('stc\nmov cl, 0\nshl eax, cl');
    byZero.run();
    expect(byZero.getFlag('CF').toCoarse()).toBe(1);
    const byOne = machineWith('mov eax, 0x80000000\nshl eax, 1');
    byOne.run();
    expect(byOne).toHaveFlags({ CF: 1, OF: 1, AF: Undefined });
    const byTwo = machineWith('mov eax, 1\nshl eax, 2');
    byTwo.run();
    expect(byTwo).toHaveFlags({ OF: Undefined, CF: 0 });
  });

  it('zero policy: undefined results are 0 and nothing is undefined', () => {
    const machine = machineWith('mov eax, 7\nxor edx, edx\nmov ecx, 2\ndiv ecx', { policy: 'zero' });
    machine.run();
    expect(machine.getFlags().isDefined).toBe(true);
    expect(machine.getRegister('rbx').toCoarse()).toBe(0n);
  });

  it('memory never written is undefined; what is stored keeps its mask', () => {
    const machine = machineWith(
      'mov eax, [rsp]\nmov [rsp+8], bl\nmov cl, 5\nmov [rsp+9], cl\nmov dx, [rsp+8]',
    );
    machine.run();
    expect(machine.getRegister('eax').isUnknown).toBe(true);
    expect(machine.getRegister('dx').toString()).toBe('0x05??');
  });
});

describe('machine: strict policy reports code that depends on undefined bits', () => {
  it('a branch on CF after div stops with the address and the reason', () => {
    const machine = machineWith('mov eax, 7\nxor edx, edx\nmov ecx, 2\ndiv ecx\njc done\nnop\ndone:', {
      policy: 'strict',
    });
    const stop = machine.run();
    expect(stop.reason).toBe('strict');
    expect(stop.address).toBe(0x100en);
    expect(stop.message).toMatch(/JB_rel8|jc|jb/i);
    expect(stop.message).toMatch(/undefined/);
  });

  it('a load from an undefined address stops', () => {
    const machine = machineWith('mov eax, [rbx]', { policy: 'strict' });
    const stop = machine.run();
    expect(stop.reason).toBe('strict');
    expect(stop.message).toMatch(/address/);
  });

  it('a divisor with undefined bits stops before #DE is decided', () => {
    const machine = machineWith('xor edx, edx\nmov eax, 1\ndiv ecx', { policy: 'strict' });
    expect(machine.run().message).toMatch(/#DE condition depends on undefined bits/);
  });

  it('a branch whose two outcomes are the same does not depend on the condition (exactness)', () => {
    const machine = machineWith('mov eax, 7\nxor edx, edx\nmov ecx, 2\ndiv ecx\njc done\ndone:', {
      policy: 'strict',
    });
    expect(machine.run().reason).toBe('end');
  });
});

describe('machine: faults are structured stops and change nothing', () => {
  it('#DE leaves RIP at the div and the registers unchanged', () => {
    const machine = machineWith('xor ecx, ecx\nxor edx, edx\nmov eax, 9\ndiv ecx');
    const stop = machine.run();
    expect(stop).toMatchObject({ reason: 'fault', fault: '#DE', address: 0x1009n });
    expect(machine.getRegister('eax').toCoarse()).toBe(9);
  });

  it('a load from unmapped memory is a page fault with the address and access kind', () => {
    const machine = machineWith('mov eax, [0x5000]');
    const stop = machine.run();
    expect(stop.fault).toBe('#PF');
    expect(stop.pageFault).toMatchObject({ address: 0x5000n, access: 'read', reason: 'unmapped' });
  });

  it('a store to read-only memory faults without writing any byte', () => {
    const machine = machineWith('mov dword [0x6ffe], 0x11223344');
    machine.memory.map(0x6000n, 0x1000, 0b011, 'zero');
    machine.memory.map(0x7000n, 0x1000, 0b001, 'zero');
    const stop = machine.run();
    expect(stop.pageFault).toMatchObject({ access: 'write', reason: 'protection' });
    expect(machine.memory.readBytes(0x6ffen, 2).bytes).toEqual(Uint8Array.of(0, 0));
  });

  it('ud2, int3, hlt and syscall stop with their reasons', () => {
    expect(machineWith('ud2').run()).toMatchObject({ reason: 'fault', fault: '#UD' });
    expect(machineWith('int3').run().reason).toBe('int3');
    expect(machineWith('hlt').run().reason).toBe('hlt');
    expect(machineWith('syscall').run().reason).toBe('syscall');
  });

  it('an unsupported instruction is named with its address', () => {
    const machine = new Machine({ mode: 64 });
    machine.loadCode(Uint8Array.of(0x0f, 0x28, 0xc1), 0x1000n); // movaps xmm0, xmm1
    const stop = machine.run();
    expect(stop.reason).toBe('fault');
    expect(stop.message).toMatch(/0x1000/);
    expect(stop.message).toMatch(/movaps|unsupported/i);
  });

  it('an endless loop stops at the step limit', () => {
    const machine = machineWith('spin: jmp spin');
    expect(machine.run(1000)).toMatchObject({ reason: 'limit' });
    expect(machine.steps).toBe(1000);
  });
});

describe('machine: control flow and the stack', () => {
  it('a counted loop sums 1..10', () => {
    const machine = machineWith('xor eax, eax\nmov ecx, 10\nnext: add eax, ecx\nloop next');
    expect(machine.run().reason).toBe('end');
    expect(machine.getRegister('eax').toCoarse()).toBe(55);
  });

  it('call and ret through the stack, with a recursive factorial', () => {
    const machine = machineWith(
      'mov edi, 5\ncall fact\njmp done\nfact: mov eax, 1\ncmp edi, 1\njbe .out\npush rdi\ndec edi\ncall fact\npop rdi\nimul eax, edi\n.out: ret\ndone:',
    );
    expect(machine.run().reason).toBe('end');
    expect(machine.getRegister('eax').toCoarse()).toBe(120);
    expect(machine.getRegister('rsp').bits).toBe(0x7000_8000n);
  });

  it('32-bit code runs with 32-bit registers', () => {
    const machine = machineWith('mov eax, 0xffffffff\nadd eax, 1\nsetc bl', { mode: 32 });
    machine.run();
    expect(machine.getRegister('eax').toCoarse()).toBe(0);
    expect(machine.getRegister('bl').toCoarse()).toBe(1);
  });

  it('self-modifying code is re-decoded after a write to its page', () => {
    // Overwrite the immediate of the second mov, then run it.
    const machine = machineWith('mov byte [rel patch + 1], 42\npatch: mov eax, 0');
    machine.memory.map(0x1000n, 0x1000, 0b111, 'zero'); // make the code page writable
    machine.run();
    expect(machine.getRegister('eax').toCoarse()).toBe(42);
  });

  it('breakpoints stop before the instruction at their address', () => {
    const machine = machineWith('mov eax, 1\nmov eax, 2\nmov eax, 3');
    machine.breakpoints.add(0x100an);
    expect(machine.run()).toMatchObject({ reason: 'breakpoint', address: 0x100an });
    expect(machine.getRegister('eax').toCoarse()).toBe(2);
  });

  it('setting a register with a Value keeps its undefined bits', () => {
    const machine = machineWith('mov bl, al');
    machine.setRegister('al', Value.of(0x10, 8, 0x0f));
    machine.run();
    expect(machine.getRegister('bl').toString()).toBe('0x1?');
  });
});

describe('machine: cpuid and rdtsc', () => {
  it('cpuid answers from the CPU profile: vendor, and the BMI/ADX bits vial implements', () => {
    const vendor = machineWith('xor eax, eax\ncpuid');
    vendor.run();
    const text = [vendor.getRegister('ebx'), vendor.getRegister('edx'), vendor.getRegister('ecx')]
      .map((value) => Buffer.from(Uint32Array.of(Number(value.toCoarse())).buffer).toString('latin1'))
      .join('');
    expect(text).toBe('VialVirtCPU ');
    expect(vendor.getRegister('rax').toCoarse()).toBe(7n);
    const leaf7 = machineWith('mov eax, 7\nxor ecx, ecx\ncpuid');
    leaf7.run();
    const ebx = Number(leaf7.getRegister('ebx').toCoarse());
    expect(ebx & 0b1000).toBe(0b1000); // BMI1
    expect(ebx & (1 << 8)).toBe(1 << 8); // BMI2
  });

  it('cpuid with an undefined leaf gives undefined answers', () => {
    const machine = machineWith('cpuid');
    machine.run();
    expect(machine.getRegister('ebx').isUnknown).toBe(true);
  });

  it('rdtsc is deterministic: the number of instructions executed', () => {
    const machine = machineWith('nop\nnop\nrdtsc');
    machine.run();
    expect(machine.getRegister('eax').toCoarse()).toBe(2);
    expect(machine.getRegister('rdx').toCoarse()).toBe(0n);
  });
});
