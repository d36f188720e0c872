/**
 * Example: unit tests for a hand-written `strlen`.
 * Read this first: it shows the whole loop — assemble a file, put a string in guest memory,
 * call the function by name, check the result.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
// In your own project: import { Machine } from 'vial';
import { Machine } from '../../src/index.js';

const source = readFileSync(new URL('./strlen.asm', import.meta.url), 'utf8');

/** A fresh 64-bit machine with strlen loaded. 'strict' stops on any use of undefined data. */
function machineWithStrlen(): Machine {
  const machine = new Machine({ mode: 64, policy: 'strict' });
  machine.assemble(source);
  return machine;
}

describe('strlen', () => {
  // The oracle is TextEncoder: strlen counts UTF-8 bytes, not characters.
  test.each(['', 'a', 'hello, world', 'grüße 🎉', 'x'.repeat(10_000)])('strlen(%j)', (text) => {
    const machine = machineWithStrlen();
    const address = machine.writeString(text); // allocates, writes UTF-8 + NUL, returns the address
    const result = machine.call('strlen', [address]);
    expect(result.expectReturn()).toBe(BigInt(new TextEncoder().encode(text).length));
  });

  test('it reads nothing past the terminator: the string ends right before an unmapped page', () => {
    // Blocks from alloc/writeString end against a guard page, so an overrun faults instead of
    // quietly reading a neighbour. A buffer with no NUL shows it: strlen runs off the end.
    const machine = machineWithStrlen();
    const noTerminator = machine.alloc(16, { fill: 0x41 });
    const result = machine.call('strlen', [noTerminator]);
    expect(result.ok).toBe(false);
    expect(result.stop.fault).toBe('#PF');
    expect(result.stop.pageFault?.address).toBe(noTerminator + 16n);
    expect(result.stopDisassembly).toBe('cmp byte [rax], 0x0');
  });

  test('it keeps the ABI: callee-saved registers, stack pointer, DF', () => {
    // call() checks what the function promised its caller; `ok` is false if it broke a rule.
    const machine = machineWithStrlen();
    const result = machine.call('strlen', [machine.writeString('abc')]);
    expect(result.violations).toEqual([]);
    expect(result.ok).toBe(true);
  });
});
