import { describe, expect, it } from 'vitest';
import { assembleOrThrow } from '../../src/assembler/index.js';
import {
  diffStates,
  ExpectationError,
  Machine,
  PAGE_SIZE,
  restoreSnapshot,
  snapshotMachine,
} from '../../src/machine/index.js';
import { Undefined, Value } from '../../src/value/index.js';

function loaded(source: string, mode: 32 | 64 = 64): Machine {
  const machine = new Machine({ mode, policy: 'track' });
  machine.loadCode(assembleOrThrow(source, { mode, origin: 0x1000 }).bytes, 0x1000n);
  machine.memory.map(0x2000n, 16, 0b011, 'undefined');
  return machine;
}

const program = 'mov eax, 7\nxor edx, edx\nmov ecx, 2\ndiv ecx\nmov [0x2000], eax\nmov byte [0x2005], dl';

describe('snapshotMachine', () => {
  it('copies registers, flags and mapped pages (not unmapped space), frozen', () => {
    const machine = loaded(program);
    machine.run();
    const snapshot = snapshotMachine(machine);
    expect(snapshot.mode).toBe(64);
    expect(Object.keys(snapshot.registers)).toHaveLength(17);
    expect(snapshot.registers.rax.toString()).toBe('0x0000_0000_0000_0003');
    expect(snapshot.registers.rbx).toBeUndefinedValue();
    expect(snapshot.flags.CF).toBeUndefinedValue();
    expect(snapshot.memory.map((region) => [region.address, region.length])).toEqual([
      [0x1000n, PAGE_SIZE],
      [0x2000n, PAGE_SIZE],
    ]);
    expect(Object.isFrozen(snapshot) && Object.isFrozen(snapshot.registers)).toBe(true);
    // Later changes to the machine do not reach the snapshot.
    machine.setRegister('rax', 99n);
    machine.memory.writeBytes(0x2000n, Uint8Array.of(0xee));
    expect(snapshot).toHaveRegister('eax', 3);
    expect(snapshot).toMatchDefined({ memory: [[0x2000n, [3, 0, 0, 0, Undefined, 1, Undefined]]] });
    expect(machine).not.toMatchDefined(snapshot);
    expect(diffStates(machine, snapshot).map((d) => d.name)).toEqual(['rax', '[0x2000]']);
  });

  it('32-bit snapshots keep eax..edi and eip; aliases read through them', () => {
    const machine = loaded('mov eax, 0x12345678', 32);
    machine.run();
    const snapshot = snapshotMachine(machine);
    expect(Object.keys(snapshot.registers)).toEqual([
      'eax',
      'ecx',
      'edx',
      'ebx',
      'esp',
      'ebp',
      'esi',
      'edi',
      'eip',
    ]);
    expect(snapshot).toHaveRegister('ah', 0x56);
    expect(() => diffStates(snapshot, { registers: { r8d: 1 } })).toThrow(ExpectationError);
  });
});

describe('restoreSnapshot', () => {
  it('a restored machine re-runs to the same state (registers, flags, memory)', () => {
    const first = loaded('add eax, ebx\nmov [0x2004], eax\nsbb ecx, ecx');
    first.setRegister('rax', 0xffff_ffffn);
    first.setRegister('rbx', 1n);
    const before = snapshotMachine(first);
    first.run();
    const after = snapshotMachine(first);
    const second = new Machine({ mode: 64, policy: 'track' });
    restoreSnapshot(second, before);
    second.codeEnd = first.codeEnd;
    expect(second).toMatchDefined(before, { requireUndefined: true });
    second.run();
    expect(diffStates(second, after, { requireUndefined: true })).toEqual([]);
    expect(second).toHaveRegister('ecx', -1);
    expect(() => restoreSnapshot(new Machine({ mode: 32 }), before)).toThrow(/64-bit snapshot/);
  });
});

describe('diffStates', () => {
  it('compares only bits defined in both, but an expected bit never matches an undefined one', () => {
    const machine = loaded('mov ah, 0x12');
    machine.run();
    // Expected Value with undefined low byte: don't care there.
    expect(diffStates(machine, { registers: { ax: Value.of(0x1200, 16, 0xff) } })).toEqual([]);
    const [difference] = diffStates(machine, { registers: { ax: 0x1234 } });
    expect(difference).toMatchObject({
      where: 'register',
      name: 'ax',
      undefinedInActual: 0xffn,
      differingBits: 0n,
      message: 'expected ax = 0x1234, got 0x12?? (bits 0–7 undefined)',
    });
    // requireUndefined: the expectation's undefined bits must be undefined too.
    const machine2 = loaded('mov ax, 0x1234');
    machine2.run();
    expect(diffStates(machine2, { registers: { ax: Value.of(0x1200, 16, 0xff) } })).toEqual([]);
    expect(
      diffStates(machine2, { registers: { ax: Value.of(0x1200, 16, 0xff) } }, { requireUndefined: true })[0]
        .definedInActual,
    ).toBe(0xffn);
  });

  it('rejects expectations it cannot compare, saying what would be accepted', () => {
    const machine = loaded('nop');
    expect(() => diffStates(machine, { registers: { al: 256 } })).toThrow(
      'register al: 256 does not fit in 8 bits',
    );
    expect(() => diffStates(machine, { registers: { al: 1.5 } })).toThrow(/not an integer/);
    expect(() => diffStates(machine, { flags: { QF: 1 } as never })).toThrow(/unknown flag 'QF'/);
    expect(() => diffStates(machine, { memory: [[0x2000n, [300]]] })).toThrow(/not a byte/);
  });
});
