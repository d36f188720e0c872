/**
 * Reliability: random bytes as code, from random states, never crash or hang the VM — every outcome
 * is a structured stop. VIAL_CASES scales the number of programs (default 3,000 per mode).
 */
import { describe, expect, it } from 'vitest';
import { Machine, type StopReason, stopReasons, type UndefinedPolicy } from '../../src/machine/index.js';
import { caseCount, Random, testSeed } from '../support/random.js';

const PROGRAMS = caseCount(3_000);

describe(`fuzz: random code never escapes as an exception (seed ${testSeed}, ${PROGRAMS} programs per mode)`, () => {
  for (const mode of [64, 32] as const) {
    it(`${mode}-bit`, () => {
      const rng = new Random(testSeed + mode);
      const policies: UndefinedPolicy[] = ['zero', 'track', 'strict'];
      const seen = new Map<StopReason, number>();
      for (let program = 0; program < PROGRAMS; program++) {
        const length = 1 + rng.below(48);
        const code = Uint8Array.from({ length }, () => rng.below(256));
        const policy = policies[program % 3];
        const machine = new Machine({ mode, policy, maxSteps: 200 });
        machine.memory.map(0x2000n, 0x2000, 0b011, 'undefined');
        machine.loadCode(code, 0x1000n);
        for (const name of mode === 64
          ? ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rsp']
          : ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'esp']) {
          // Point some registers at mapped memory so loads and stores get exercised, not only faults.
          machine.setRegister(name, rng.below(2) ? 0x2000n + BigInt(rng.below(0x2000)) : rng.bits(mode));
        }
        let stop: ReturnType<Machine['run']> | undefined;
        const hex = Array.from(code, (b) => b.toString(16).padStart(2, '0')).join('');
        try {
          stop = machine.run();
        } catch (error) {
          expect.fail(
            `seed ${testSeed}, ${mode}-bit, policy ${policy}, code ${hex}: threw ${(error as Error).stack}`,
          );
        }
        expect(stopReasons, hex).toContain(stop!.reason);
        expect(typeof stop!.message, hex).toBe('string');
        seen.set(stop!.reason, (seen.get(stop!.reason) ?? 0) + 1);
      }
      // The programs must reach more than one kind of stop, or the test is not exercising much.
      expect(seen.get('fault') ?? 0).toBeGreaterThan(PROGRAMS / 10);
      expect(seen.size).toBeGreaterThanOrEqual(4);
    }, 120_000);
  }
});
