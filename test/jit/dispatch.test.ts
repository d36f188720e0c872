/**
 * The dispatcher interprets an address until it is met `compileThreshold` times, then runs a
 * compiled block there. Every path must heat up, including a branch's side exit taken from inside a
 * compiled block (a regression: the dispatcher remembered "no block yet" as the block's successor and
 * interpreted that path forever — call64 ran at half speed).
 */
import { expect, it } from 'vitest';
import { Machine } from '../../src/machine/index.js';

it('side exits of compiled blocks get compiled too: almost every step runs compiled', () => {
  const machine = new Machine({ mode: 64, policy: 'zero', execution: 'compiled' });
  machine.assemble(
    `mov ecx, 10000
top: test ecx, 1
  jnz odd
back: dec ecx
  jnz top
  jmp done
odd: add eax, 1
  jmp back
done:`,
    { address: 0x40_0000n },
  );
  machine.setRegister('rip', 0x40_0000n);
  expect(machine.run().reason).toBe('end');
  expect(machine.getRegister('eax').bits).toBe(5000n);
  // Only the first meetings of each address are interpreted.
  expect(machine.steps - machine.compiledSteps).toBeLessThan(50);
});
