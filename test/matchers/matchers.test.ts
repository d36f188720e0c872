import { describe, expect, it } from 'vitest';
import { assembleOrThrow } from '../../src/assembler/index.js';
import { Machine } from '../../src/machine/index.js';
import {
  registerVialMatchers,
  toBeUndefinedValue,
  toHaveFlags,
  toHaveRegister,
  toHaveUndefinedBits,
  toMatchDefined,
  vialMatchers,
} from '../../src/matchers/index.js';
import { Undefined, Value } from '../../src/value/index.js';

/** Runs NASM source from a wholly undefined state (track policy) and returns the machine. */
function ran(source: string): Machine {
  const machine = new Machine({ mode: 64, policy: 'track' });
  machine.loadCode(assembleOrThrow(source, { mode: 64, origin: 0x1000 }).bytes, 0x1000n);
  expect(machine.run().reason).toBe('end');
  return machine;
}

/** The message an assertion throws (the test fails if it does not throw). */
function failureOf(assertion: () => void): string {
  try {
    assertion();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the assertion passed');
}

describe('toHaveRegister', () => {
  it('passes on equal defined bits, with numbers, bigints, negatives and aliases', () => {
    const machine = ran('mov rax, -1\nmov ebx, 5\nmov cl, 0x80');
    expect(machine).toHaveRegister('rax', -1);
    expect(machine).toHaveRegister('rax', 0xffff_ffff_ffff_ffffn);
    expect(machine).toHaveRegister('ax', -1);
    expect(machine).toHaveRegister('ebx', 5);
    expect(machine).toHaveRegister('bl', 5);
    expect(machine).toHaveRegister('cl', -128);
    expect(machine).not.toHaveRegister('ebx', 6);
  });

  it('an expected value never matches an undefined bit', () => {
    const machine = ran('mov ah, 0');
    // Bits 0–7 of eax were never written: undefined, so no number matches them.
    expect(machine).not.toHaveRegister('eax', 0);
    expect(machine).not.toHaveRegister('ah', Undefined);
    expect(machine).toHaveRegister('al', Undefined);
    expect(machine).toHaveRegister('ah', 0);
    // A Value's undefined bits are "don't care".
    expect(machine).toHaveRegister('ax', Value.of(0, 16, 0xff));
    expect(failureOf(() => expect(machine).toHaveRegister('eax', 5))).toMatchInlineSnapshot(`
      "expected eax = 0x0000_0005, got 0x????_00?? (bits 0–7, 16–31 undefined)

      expected: 0x0000_0005
      actual:   0x????_00??"
    `);
  });

  it('explains differing bits, defined bits where Undefined was expected, and .not', () => {
    const machine = ran('mov eax, 7');
    expect(failureOf(() => expect(machine).toHaveRegister('eax', 5))).toMatchInlineSnapshot(`
      "expected eax = 0x0000_0005, got 0x0000_0007 (bit 1 differs)

      expected: 0x0000_0005
      actual:   0x0000_0007"
    `);
    expect(failureOf(() => expect(machine).toHaveRegister('eax', Undefined))).toMatchInlineSnapshot(`
      "expected eax = 0x????_????, got 0x0000_0007 (bits 0–31 defined, expected undefined)

      expected: 0x????_????
      actual:   0x0000_0007"
    `);
    expect(failureOf(() => expect(machine).not.toHaveRegister('eax', 7))).toMatchInlineSnapshot(
      `"expected eax not to be 0x0000_0007, but it is 0x0000_0007"`,
    );
  });

  it('bad input fails with a clear message in both directions', () => {
    const machine = ran('nop');
    expect(failureOf(() => expect(machine).toHaveRegister('eax', 0x1_0000_0000))).toMatchInlineSnapshot(
      `"toHaveRegister: register eax: 4294967296 does not fit in 32 bits"`,
    );
    expect(failureOf(() => expect(machine).not.toHaveRegister('xmm0', 1))).toMatchInlineSnapshot(
      `"toHaveRegister: unknown general register 'xmm0'"`,
    );
    expect(failureOf(() => expect(42).toHaveRegister('eax', 1))).toMatchInlineSnapshot(
      `"toHaveRegister: expected a Machine or a MachineSnapshot, got number 42"`,
    );
  });
});

describe('toHaveFlags', () => {
  it("the seed's div: quotient defined, the six status flags undefined", () => {
    const machine = ran('mov eax, 7\nxor edx, edx\nmov ecx, 2\ndiv ecx');
    expect(machine).toHaveFlags({ CF: Undefined, OF: Undefined, ZF: Undefined, DF: 0 });
    expect(machine).toHaveFlags({ DF: false });
    expect(machine).not.toHaveFlags({ CF: 0 });
    expect(
      failureOf(() => expect(machine).toHaveFlags({ CF: 0, DF: 0, ZF: Undefined })),
    ).toMatchInlineSnapshot(`
      "expected flags CF=0 DF=0 ZF=?; 1 of 3 differ:
      flag  expected  actual
      CF    0         ?       ✗ undefined
      DF    0         0
      ZF    ?         ?"
    `);
  });

  it('prints the flags as a table', () => {
    const machine = ran('mov eax, 1\ncmp eax, 2');
    expect(machine).toHaveFlags({ CF: 1, ZF: 0, SF: 1 });
    expect(
      failureOf(() => expect(machine).toHaveFlags({ CF: 0, ZF: 0, OF: Undefined })),
    ).toMatchInlineSnapshot(`
      "expected flags CF=0 ZF=0 OF=?; 2 of 3 differ:
      flag  expected  actual
      CF    0         1       ✗ differs
      ZF    0         0
      OF    ?         0       ✗ defined, expected undefined"
    `);
    expect(failureOf(() => expect(machine).not.toHaveFlags({ CF: 1 }))).toMatchInlineSnapshot(`
      "expected flags not to be CF=1, but they are:
      flag  expected  actual
      CF    1         1"
    `);
    expect(failureOf(() => expect(machine).toHaveFlags({ XF: 1 } as never))).toMatchInlineSnapshot(
      `"toHaveFlags: unknown flag 'XF' (modelled: CF, PF, AF, ZF, SF, DF, OF)"`,
    );
  });
});

describe('toMatchDefined', () => {
  it('compares a partial state: registers, flags, memory', () => {
    const again = ran('nop');
    expect(again).not.toMatchDefined({ registers: { eax: 5 } });
    const state = ranWithMemory('mov eax, 5\nmov dword [0x2000], 0xaabbccdd\nstc');
    expect(state).toMatchDefined({
      registers: { eax: 5, rax: 5n },
      flags: { CF: 1 },
      memory: [[0x2000n, Uint8Array.of(0xdd, 0xcc, 0xbb, 0xaa)]],
    });
    expect(state).toMatchDefined({ memory: [[0x2004, [Undefined, Undefined]]] });
    expect(
      failureOf(() =>
        expect(state).toMatchDefined({
          registers: { eax: 6, ebx: 0 },
          flags: { CF: 0 },
          memory: [
            [0x2000n, [0xdd, 0xcc, 0xbb, 0xab, 0x00]],
            [0x9000n, [0]],
          ],
        }),
      ),
    ).toMatchInlineSnapshot(`
      "expected the state to match on defined bits; 5 differences:
        expected eax = 0x0000_0006, got 0x0000_0005 (bits 0–1 differ)
        expected ebx = 0x0000_0000, got 0x????_???? (bits 0–31 undefined)
        expected CF = 0, got 1
        expected [0x2000] = dd cc bb ab 00, got dd cc bb aa ?? (byte +3 differs; byte +4 undefined)
        expected [0x9000] = 00, got unmapped memory"
    `);
  });
});

/** Runs with 16 undefined bytes mapped at 0x2000. */
function ranWithMemory(source: string): Machine {
  const machine = new Machine({ mode: 64, policy: 'track' });
  machine.memory.map(0x2000n, 16, 0b011, 'undefined');
  machine.loadCode(assembleOrThrow(source, { mode: 64, origin: 0x1000 }).bytes, 0x1000n);
  expect(machine.run().reason).toBe('end');
  return machine;
}

describe('toBeUndefinedValue and toHaveUndefinedBits', () => {
  it('every bit undefined vs exactly these bits undefined', () => {
    expect(Value.unknown(32)).toBeUndefinedValue();
    expect(Undefined).toBeUndefinedValue();
    expect(Value.of(0, 32, 0xff)).not.toBeUndefinedValue();
    expect(Value.of(0, 32, 0xff)).toHaveUndefinedBits(0xff);
    expect(Value.of(0, 32, 0xff)).not.toHaveUndefinedBits(0xf);
    expect(failureOf(() => expect(Value.of(0, 32, 0xff)).toBeUndefinedValue())).toMatchInlineSnapshot(
      `"expected every bit undefined, got 0x0000_00?? (bits 8–31 defined)"`,
    );
    expect(failureOf(() => expect(Value.unknown(8)).not.toBeUndefinedValue())).toMatchInlineSnapshot(
      `"expected some bit defined, got 0x?? (every bit undefined)"`,
    );
    expect(failureOf(() => expect(Value.of(0x10, 32, 0xf)).toHaveUndefinedBits(0xff))).toMatchInlineSnapshot(`
      "expected exactly bits 0–7 undefined, got 0x0000_001?

      expected undefined: 0x0000_00ff (bits 0–7)
      actual undefined:   0x0000_000f (bits 0–3)
      value:              0x0000_001?"
    `);
    expect(failureOf(() => expect(5).toBeUndefinedValue())).toMatchInlineSnapshot(
      `"toBeUndefinedValue: expected a Value (or Undefined), got number 5"`,
    );
  });
});

describe('Jest compatibility: the plain { pass, message } protocol', () => {
  it('each matcher is a function of (received, ...args) reading only this.isNot, returning { pass, message() }', () => {
    const machine = ran('mov eax, 7');
    const calls: [keyof typeof vialMatchers, unknown, unknown[]][] = [
      ['toHaveRegister', machine, ['eax', 7]],
      ['toHaveFlags', machine, [{ DF: 0 }]],
      ['toMatchDefined', machine, [{ registers: { eax: 7 } }]],
      ['toBeUndefinedValue', Value.unknown(4), []],
      ['toHaveUndefinedBits', Value.unknown(4), [0xf]],
    ];
    for (const [name, received, args] of calls) {
      // A context with nothing but isNot (Jest's has more; vial must not need it), frozen so any write throws.
      for (const isNot of [false, true]) {
        const matcher = vialMatchers[name] as (this: unknown, ...rest: unknown[]) => unknown;
        const result = matcher.call(Object.freeze({ isNot }), received, ...args) as {
          pass: unknown;
          message: unknown;
        };
        expect(Object.keys(result).sort()).toEqual(['message', 'pass']);
        expect(result.pass).toBe(true);
        expect(typeof result.message).toBe('function');
        expect(typeof (result.message as () => unknown)()).toBe('string');
      }
    }
    // Without any context (a matcher called as a plain function) they still work.
    expect(toHaveRegister.call(undefined, machine, 'eax', 6).pass).toBe(false);
    expect(toHaveFlags.call(undefined, machine, { DF: 1 }).pass).toBe(false);
    expect(toMatchDefined.call(undefined, machine, { registers: { eax: 6 } }).pass).toBe(false);
    expect(toBeUndefinedValue.call(undefined, Value.of(1, 4)).pass).toBe(false);
    expect(toHaveUndefinedBits.call(undefined, Value.of(1, 4), 1).pass).toBe(false);
  });

  it('an unusable assertion fails under .not too (pass mirrors isNot)', () => {
    expect(toHaveRegister.call({ isNot: false }, 'nope', 'eax', 1).pass).toBe(false);
    expect(toHaveRegister.call({ isNot: true }, 'nope', 'eax', 1).pass).toBe(true);
  });

  it('registerVialMatchers hands every matcher to expect.extend', () => {
    let extended: Record<string, unknown> = {};
    registerVialMatchers({
      extend: (matchers: Record<string, unknown>) => {
        extended = matchers;
      },
    });
    expect(Object.keys(extended).sort()).toEqual(Object.keys(vialMatchers).sort());
  });
});
