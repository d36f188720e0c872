import { describe, expect, it } from 'vitest';
import { assembleOrThrow } from '../../src/assembler/index.js';
import { Machine } from '../../src/machine/index.js';

const DATA = 0x7000_0000n;

function machineWith(source: string): Machine {
  const machine = new Machine({ mode: 64, policy: 'track', maxSteps: 10_000 });
  const { bytes } = assembleOrThrow(`bits 64\n${source}`, { mode: 64, origin: 0x1000 });
  machine.loadCode(bytes, 0x1000n);
  machine.memory.map(DATA, 0x1000, 0b011, 'undefined');
  return machine;
}

describe('adcx / adox', () => {
  it('adcx carries through CF only, adox through OF only; the other flags keep their values', () => {
    const machine = machineWith(
      'stc\nmov rax, -1\nmov rbx, 0\nadcx rbx, rax\nmov rcx, 5\nmov rdx, 7\nadox rcx, rdx',
    );
    machine.setFlag('OF', 1);
    machine.setFlag('ZF', 1);
    expect(machine.run().reason).toBe('end');
    expect(machine.getRegister('rbx').toCoarse()).toBe(0n); // -1 + 0 + CF = 2^64: 0, carry out
    expect(machine.getFlag('CF').toCoarse()).toBe(1);
    expect(machine.getRegister('rcx').toCoarse()).toBe(13n); // 5 + 7 + OF
    expect(machine.getFlag('OF').toCoarse()).toBe(0);
    expect(machine.getFlag('ZF').toCoarse()).toBe(1); // untouched by both
  });

  it('an undefined carry-in leaves the sum and the carry out undefined only where it can matter', () => {
    const machine = machineWith('mov eax, 0x10\nmov ebx, 0x20\nadcx eax, ebx');
    machine.setFlag('CF', 0);
    machine.run();
    expect(machine.getRegister('rax').toCoarse()).toBe(0x30n);
    const unknown = machineWith('mov eax, 0x10\nmov ebx, 0x20\nadcx eax, ebx');
    unknown.run(); // CF never set: undefined
    expect(unknown.getRegister('eax').toString()).toBe('0x0000_003[000?]');
    expect(unknown.getFlag('CF').toCoarse()).toBe(0); // 0x10 + 0x20 + 1 cannot carry out
  });
});

describe('cmpxchg8b / cmpxchg16b', () => {
  it('cmpxchg8b: equal stores ECX:EBX and sets ZF; EAX/EDX untouched (not even zero-extended)', () => {
    const machine = machineWith(`mov rdi, ${DATA}\nmov r8, 0x22_0000_0011\nmov [rdi], r8\ncmpxchg8b [rdi]`);
    machine.setRegister('rax', 0xffff_ffff_0000_0011n);
    machine.setRegister('rdx', 0xffff_ffff_0000_0022n);
    machine.setRegister('rbx', 0xaaaa);
    machine.setRegister('rcx', 0xbbbb);
    expect(machine.run().reason).toBe('end');
    expect(machine.getFlag('ZF').toCoarse()).toBe(1);
    expect(machine.getRegister('rax').bits).toBe(0xffff_ffff_0000_0011n);
    const { bytes } = machine.memory.readBytes(DATA, 8);
    expect(new DataView(bytes.buffer).getBigUint64(0, true)).toBe(0xbbbb_0000_aaaan);
  });

  it('cmpxchg8b: different loads EDX:EAX (zero-extended in 64-bit mode) and clears ZF', () => {
    const machine = machineWith(`mov rdi, ${DATA}\nmov r8, 0x22_0000_0011\nmov [rdi], r8\ncmpxchg8b [rdi]`);
    machine.setRegister('rax', 0xffff_ffff_0000_0001n);
    machine.setRegister('rdx', 0);
    expect(machine.run().reason).toBe('end');
    expect(machine.getFlag('ZF').toCoarse()).toBe(0);
    expect(machine.getRegister('rax').toString()).toBe('0x0000_0000_0000_0011');
    expect(machine.getRegister('rdx').toString()).toBe('0x0000_0000_0000_0022');
  });

  it('cmpxchg16b: exchanges 16 bytes when RDX:RAX matches; #GP on a misaligned operand', () => {
    const machine = machineWith(
      `mov rdi, ${DATA + 0x10n}\nmov qword [rdi], 1\nmov qword [rdi + 8], 2\nmov eax, 1\nmov edx, 2\nmov ebx, 3\nmov ecx, 4\ncmpxchg16b [rdi]`,
    );
    expect(machine.run().reason).toBe('end');
    expect(machine.getFlag('ZF').toCoarse()).toBe(1);
    expect(Array.from(machine.memory.readBytes(DATA + 0x10n, 16).bytes)).toEqual([
      3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0,
    ]);
    const misaligned = machineWith(`mov rdi, ${DATA + 8n}\ncmpxchg16b [rdi]`);
    const stop = misaligned.run();
    expect(stop.reason).toBe('fault');
    expect(stop.fault).toBe('#GP');
  });
});

describe('pdep / pext / crc32', () => {
  it('pdep and pext route bits through the mask; an undefined source bit stays where it lands', () => {
    const machine = machineWith(
      'mov eax, 0b101\nmov ecx, 0b1010_0100\npdep edx, eax, ecx\npext esi, edx, ecx',
    );
    expect(machine.run().reason).toBe('end');
    expect(machine.getRegister('rdx').toCoarse()).toBe(0b1000_0100n);
    expect(machine.getRegister('rsi').toCoarse()).toBe(0b101n);
    const partial = machineWith('mov ecx, 0b1010_0100\npdep edx, eax, ecx');
    partial.setRegister('al', 0b101); // the rest of RAX stays undefined
    partial.run();
    expect(partial.getRegister('edx').toString()).toBe('0x0000_0084');
  });

  it('crc32 accumulates CRC-32C: "123456789" gives E3069283 with the usual pre- and post-inversion', () => {
    const machine = machineWith(
      `mov rsi, ${DATA}\nmov ecx, 9\nmov eax, -1\nnext: crc32 eax, byte [rsi]\ninc rsi\ndec ecx\njnz next\nnot eax`,
    );
    machine.memory.writeBytes(DATA, new TextEncoder().encode('123456789'));
    expect(machine.run().reason).toBe('end');
    expect(machine.getRegister('rax').bits).toBe(0xe306_9283n);
  });

  it('crc32 r64 zero-extends its 32-bit result; no flag changes', () => {
    const machine = machineWith('mov rax, -1\nmov rbx, 0x1234\ncrc32 rax, rbx');
    machine.setFlag('CF', 1);
    machine.run();
    expect(machine.getRegister('rax').bits >> 32n).toBe(0n);
    expect(machine.getFlag('CF').toCoarse()).toBe(1);
  });
});
