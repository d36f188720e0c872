/**
 * Example: `memcpy` with `rep movsb` — byte arrays in and out of guest memory, faults, and how
 * undefined bytes travel through a copy.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
// In your own project: import { Machine, UndefinedMemoryError } from 'vial';
import { Machine, UndefinedMemoryError } from '../../src/index.js';

const source = readFileSync(new URL('./memcpy.asm', import.meta.url), 'utf8');

function machineWithMemcpy(policy: 'zero' | 'track' | 'strict' = 'strict'): Machine {
  const machine = new Machine({ mode: 64, policy });
  machine.assemble(source);
  return machine;
}

test.each([0, 1, 7, 64, 4096, 10_000])('copies %i bytes and nothing more', (size) => {
  const machine = machineWithMemcpy();
  const data = Uint8Array.from({ length: size }, (_, i) => (i * 37 + 11) & 0xff);
  const source = machine.alloc(size);
  machine.writeBytes(source, data);
  const destination = machine.alloc(size + 8, { fill: 0xee }); // 8 canary bytes after the copy
  const result = machine.call('memcpy', [destination, source, size]);
  expect(result.expectReturn()).toBe(destination); // returns dst
  expect(machine.readBytes(destination, size)).toEqual(data);
  expect([...machine.readBytes(destination + BigInt(size), 8)]).toEqual(Array(8).fill(0xee));
});

test('copying into read-only memory faults at the rep movsb', () => {
  const machine = machineWithMemcpy();
  const readOnly = machine.alloc(16, { permissions: 'r' });
  const result = machine.call('memcpy', [readOnly, machine.alloc(16), 16]);
  expect(result.stop.fault).toBe('#PF');
  expect(result.stop.pageFault).toMatchObject({ address: readOnly, access: 'write', reason: 'protection' });
  expect(result.stopDisassembly).toMatch(/movsb/);
});

test('undefined bytes stay undefined through the copy (track policy)', () => {
  // Copying uninitialised memory is not an error on a real CPU, and not in vial either;
  // but the copy is as undefined as the original, and the test sees it.
  const machine = machineWithMemcpy('track');
  const uninitialised = machine.alloc(8, { fill: 'undefined' });
  machine.writeBytes(uninitialised, [1, 2, 3, 4]); // only the first half is written
  const destination = machine.alloc(8);
  expect(machine.call('memcpy', [destination, uninitialised, 8]).ok).toBe(true);
  expect([...machine.readBytes(destination, 4)]).toEqual([1, 2, 3, 4]);
  expect(() => machine.readBytes(destination, 8)).toThrow(UndefinedMemoryError);
});
