/**
 * Machines of one process share decoded instructions and compiled blocks: a test that creates a
 * machine per case pays for generating and compiling its code once. Sharing must never run one
 * machine's code on another: the key is the mode, the policy and the instructions' bytes.
 */
import { expect, it } from 'vitest';
import { generatedTraceCount } from '../../src/jit/block.js';
import { Machine, type UndefinedPolicy } from '../../src/machine/index.js';

const loop = (step: number) => `mov ecx, 1000\nxor eax, eax\nnext: add eax, ${step}\nloop next`;

function run(
  source: string,
  policy: UndefinedPolicy = 'zero',
  mode: 32 | 64 = 64,
): { eax: bigint; compiled: number } {
  const machine = new Machine({ mode, policy, execution: 'compiled' });
  machine.assemble(source, { address: 0x40_0000n });
  machine.setRegister(mode === 64 ? 'rip' : 'eip', 0x40_0000n);
  const stop = machine.run();
  expect(stop.reason).toBe('end');
  return { eax: machine.getRegister('eax').bits, compiled: machine.compiledSteps };
}

it('a second machine running the same code generates no new block', () => {
  const first = run(loop(3));
  const generated = generatedTraceCount();
  const second = run(loop(3));
  expect(generatedTraceCount()).toBe(generated);
  expect(second).toEqual(first);
  expect(second.eax).toBe(3000n);
  expect(second.compiled).toBeGreaterThan(900);
});

it('different bytes at the same address, another policy or mode get their own blocks', () => {
  run(loop(5));
  let generated = generatedTraceCount();
  expect(run(loop(7)).eax).toBe(7000n);
  expect(generatedTraceCount()).toBeGreaterThan(generated);
  generated = generatedTraceCount();
  expect(run(loop(5), 'track').eax).toBe(5000n);
  expect(generatedTraceCount()).toBeGreaterThan(generated);
  generated = generatedTraceCount();
  expect(run(loop(5), 'zero', 32).eax).toBe(5000n);
  expect(generatedTraceCount()).toBeGreaterThan(generated);
});
