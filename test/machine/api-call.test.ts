/**
 * `Machine.call`: every calling convention with more arguments than argument registers, checked
 * by a routine that weighs each argument differently (`a1 + 2*a2 + 3*a3 …`), so a swapped or
 * misplaced argument changes the answer. The same functions compiled by gcc make gcc the oracle
 * for where arguments go and who pops them.
 */
import { describe, expect, test } from 'vitest';
import {
  CallArgumentError,
  CallConventionError,
  CallError,
  type CallingConvention,
  Machine,
  SymbolNotFoundError,
} from '../../src/machine/index.js';
import { describeWithTool } from '../support/tools.js';
import { compileWithGcc, hasGcc, hasGcc32 } from './api-gcc.js';

/** Σ (i+1)·args[i], wrapped to `bits` as the guest computes it. */
function weighted(args: readonly bigint[], bits: number): bigint {
  return BigInt.asUintN(
    bits,
    args.reduce((sum, arg, index) => sum + BigInt(index + 1) * arg, 0n),
  );
}

const eight = [3n, -5n, 7n, 11n, -13n, 17n, 19n, 0x1234_5678n];

// Hand-written versions: they read every argument where the convention puts it.
const sysvCombine = `
combine:                     ; rdi rsi rdx rcx r8 r9, then [rsp+8], [rsp+16]
  mov rax, rdi
  lea rax, [rax + rsi*2]
  imul rdx, rdx, 3
  add rax, rdx
  lea rax, [rax + rcx*4]
  imul r8, r8, 5
  add rax, r8
  imul r9, r9, 6
  add rax, r9
  imul r10, [rsp + 8], 7
  add rax, r10
  mov r10, [rsp + 16]
  lea rax, [rax + r10*8]
  ret
stack_pointer:
  mov rax, rsp
  ret
`;

const ms64Combine = `
combine:                     ; rcx rdx r8 r9, 32 bytes of shadow space, then [rsp+40] …
  mov [rsp + 8], rcx         ; the shadow space is the callee's to use
  mov rax, rcx
  lea rax, [rax + rdx*2]
  imul r8, r8, 3
  add rax, r8
  lea rax, [rax + r9*4]
  imul r10, [rsp + 40], 5
  add rax, r10
  imul r10, [rsp + 48], 6
  add rax, r10
  imul r10, [rsp + 56], 7
  add rax, r10
  mov r10, [rsp + 64]
  lea rax, [rax + r10*8]
  ret
`;

/** 32-bit: `registers` arguments in ecx/edx (fastcall), the rest at [esp+4] …; `ret pop`. */
function i386Combine(registers: 0 | 2, pop: number): string {
  const stackArgument = (index: number) => `[esp + ${4 + 4 * (index - registers)}]`;
  const lines = ['combine:'];
  lines.push(registers === 2 ? '  mov eax, ecx' : `  mov eax, ${stackArgument(0)}`);
  for (let index = 1; index < 8; index++) {
    const source = registers === 2 && index === 1 ? 'edx' : `dword ${stackArgument(index)}`;
    lines.push(`  imul edx, ${source}, ${index + 1}`, '  add eax, edx');
  }
  lines.push(pop > 0 ? `  ret ${pop}` : '  ret');
  lines.push('stack_pointer:', '  mov eax, esp', pop > 0 ? `  ret ${pop}` : '  ret');
  return lines.join('\n');
}

describe('call: argument placement by convention (hand-written routines)', () => {
  test('sysv: six registers, then the stack', () => {
    const machine = new Machine({ mode: 64, policy: 'strict' });
    machine.assemble(sysvCombine);
    const result = machine.call('combine', eight);
    expect(result.ok).toBe(true);
    expect(result.expectReturn()).toBe(weighted(eight, 64));
  });

  test('sysv: RSP+8 is 16-byte aligned at entry, whatever the argument count', () => {
    const machine = new Machine({ mode: 64 });
    machine.assemble(sysvCombine);
    for (let count = 0; count < 10; count++) {
      const entry = machine.call('stack_pointer', Array(count).fill(0)).expectReturn();
      expect((entry + 8n) % 16n).toBe(0n);
    }
  });

  test('ms64: four registers, shadow space, then the stack', () => {
    const machine = new Machine({ mode: 64, policy: 'strict' });
    machine.assemble(ms64Combine);
    const result = machine.call('combine', eight, { convention: 'ms64' });
    expect(result.violations).toEqual([]);
    expect(result.expectReturn()).toBe(weighted(eight, 64));
  });

  const i386Cases: [CallingConvention, 0 | 2, number][] = [
    ['cdecl', 0, 0],
    ['stdcall', 0, 32],
    ['fastcall', 2, 24],
  ];
  test.each(i386Cases)('%s: arguments and who pops them', (convention, registers, pop) => {
    const machine = new Machine({ mode: 32, policy: 'strict' });
    machine.assemble(i386Combine(registers, pop));
    const result = machine.call('combine', eight, { convention });
    expect(result.violations).toEqual([]);
    expect(result.expectReturn()).toBe(weighted(eight, 32));
    // 32-bit: ESP is 16-byte aligned before the call, so ESP+4 at entry.
    const entry = machine.call('stack_pointer', eight, { convention }).expectReturn();
    expect((entry + 4n) % 16n).toBe(0n);
  });

  test('cdecl is the 32-bit default and sysv the 64-bit one', () => {
    expect(new Machine({ mode: 32 }).assemble('f: ret').address).toBeGreaterThan(0n);
    const machine = new Machine({ mode: 32 });
    machine.assemble(i386Combine(0, 0));
    expect(machine.call('combine', eight).convention).toBe('cdecl');
  });

  test('negative arguments are two’s complement; edx:eax and rdx:rax are available', () => {
    const machine = new Machine({ mode: 64 });
    machine.assemble('widen:\n  mov rax, rdi\n  cqo\n  ret');
    const result = machine.call('widen', [-2]);
    expect(result.expectReturn({ signed: true })).toBe(-2n);
    expect(result.wide.bits).toBe(BigInt.asUintN(128, -2n));
    expect(result.wide.undefinedMask).toBe(0n);
  });
});

describe('call: ABI violations', () => {
  test('a callee-saved register left clobbered (rbx), in every policy', () => {
    for (const policy of ['zero', 'track', 'strict'] as const) {
      const machine = new Machine({ mode: 64, policy });
      machine.assemble('clobber:\n  xor ebx, ebx\n  ret');
      const result = machine.call('clobber');
      expect(result.returned).toBe(true);
      expect(result.ok).toBe(false);
      expect(result.violations.map((v) => [v.kind, v.register])).toEqual([['callee-saved', 'rbx']]);
    }
  });

  test('saving and restoring callee-saved registers is fine', () => {
    const machine = new Machine({ mode: 64, policy: 'strict' });
    machine.assemble('f:\n  push rbx\n  push r12\n  mov ebx, 1\n  mov r12, rbx\n  pop r12\n  pop rbx\n  ret');
    expect(machine.call('f').violations).toEqual([]);
  });

  test('ms64 adds rdi and rsi to the callee-saved set', () => {
    const machine = new Machine({ mode: 64 });
    machine.assemble('f:\n  mov esi, 1\n  ret');
    expect(machine.call('f').ok).toBe(true);
    expect(machine.call('f', [], { convention: 'ms64' }).violations[0].register).toBe('rsi');
  });

  test('32-bit callee-saved: ebx esi edi ebp', () => {
    const machine = new Machine({ mode: 32, policy: 'zero' });
    machine.assemble('f:\n  mov edi, 7\n  mov ecx, 7\n  ret');
    expect(machine.call('f').violations.map((v) => v.register)).toEqual(['edi']);
  });

  test('DF left set', () => {
    const machine = new Machine({ mode: 64 });
    machine.assemble('f:\n  std\n  ret');
    const [violation] = machine.call('f').violations;
    expect(violation.kind).toBe('direction-flag');
    expect(violation.message).toMatch(/cld/);
  });

  test('a wrong stack pointer on return', () => {
    const machine = new Machine({ mode: 64 });
    // Returns through the sentinel but leaves RSP 8 bytes too high.
    machine.assemble('f:\n  pop rcx\n  add rsp, 8\n  jmp rcx');
    const [violation] = machine.call('f').violations;
    expect(violation.kind).toBe('stack-pointer');
    expect(violation.message).toMatch(/off by 8/);
  });

  test('callee-pop: stdcall/fastcall must pop exactly their stack arguments, cdecl must not', () => {
    const machine = new Machine({ mode: 32 });
    machine.assemble(`plain: ret\npops8: ret 8\npops4: ret 4`);
    expect(machine.call('plain', [1, 2], { convention: 'cdecl' }).ok).toBe(true);
    expect(machine.call('pops8', [1, 2], { convention: 'stdcall' }).ok).toBe(true);
    expect(machine.call('pops8', [1, 2, 3, 4], { convention: 'fastcall' }).ok).toBe(true);
    const stdcallForgot = machine.call('plain', [1, 2], { convention: 'stdcall' });
    expect(stdcallForgot.violations[0].message).toMatch(/stdcall callee must pop its 8 bytes.*ret 8/);
    expect(machine.call('pops4', [1, 2], { convention: 'stdcall' }).violations[0].kind).toBe('stack-pointer');
    expect(machine.call('pops8', [1, 2], { convention: 'cdecl' }).violations[0].message).toMatch(
      /must not pop/,
    );
  });

  test('expectOk / expectReturn throw a CallError that lists the violations', () => {
    const machine = new Machine({ mode: 64 });
    machine.assemble('f:\n  mov rbx, 5\n  mov eax, 1\n  ret');
    expect(() => machine.callOrThrow('f')).toThrow(CallError);
    expect(() => machine.call('f').expectReturn()).toThrow(/callee-saved rbx/);
  });
});

describe('call: the guest stops', () => {
  test('a page fault is reported with the address and the disassembly', () => {
    const machine = new Machine({ mode: 64 });
    machine.assemble('f:\n  nop\nload:\n  mov rax, [rdi]\n  ret');
    const result = machine.call('f', [0x10]);
    expect(result.ok).toBe(false);
    expect(result.stop.reason).toBe('fault');
    expect(result.stop.fault).toBe('#PF');
    expect(result.stop.address).toBe(machine.symbol('load'));
    expect(result.stopDisassembly).toBe('mov rax, [rdi]');
    const error = (() => {
      try {
        result.expectReturn();
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(CallError);
    expect((error as CallError).address).toBe(machine.symbol('load'));
    expect((error as CallError).message).toMatch(/did not return: fault at 0x[0-9a-f]+ \(mov rax, \[rdi\]\)/);
  });

  test('#DE from div is reported', () => {
    const machine = new Machine({ mode: 64 });
    machine.assemble('f:\n  xor edx, edx\n  mov rax, rdi\n  div rsi\n  ret');
    expect(machine.call('f', [7, 2]).expectReturn()).toBe(3n);
    const result = machine.call('f', [7, 0]);
    expect(result.stop.fault).toBe('#DE');
    expect(result.stopDisassembly).toBe('div rsi');
  });

  test('the step limit stops a runaway function', () => {
    const machine = new Machine({ mode: 64 });
    machine.assemble('spin: jmp spin');
    const result = machine.call('spin', [], { maxSteps: 100 });
    expect(result.stop.reason).toBe('limit');
    expect(() => result.expectOk()).toThrow(/did not return: limit/);
  });

  test('strict: a function that branches on an argument register it was not given', () => {
    const machine = new Machine({ mode: 64, policy: 'strict' });
    machine.assemble('f:\n  test rsi, rsi\n  jz .zero\n  mov eax, 1\n  ret\n.zero:\n  xor eax, eax\n  ret');
    expect(machine.call('f', [1, 0]).expectReturn()).toBe(0n);
    const result = machine.call('f', [1]);
    expect(result.stop.reason).toBe('strict');
    expect(result.stopDisassembly).toMatch(/^je /);
  });

  test('strict: the undefined flag a branch reads is named (CF after div)', () => {
    const machine = new Machine({ mode: 64, policy: 'strict' });
    machine.assemble(
      'f:\n  mov rax, rdi\n  xor edx, edx\n  div rsi\nbranch:\n  jc .odd\n  ret\n.odd:\n  ret',
    );
    const result = machine.call('f', [7, 2]);
    expect(result.stop.reason).toBe('strict');
    expect(result.stop.address).toBe(machine.symbol('branch'));
    expect(result.undefinedFlags).toEqual(['CF']);
    expect(result.describe()).toMatch(/it reads CF, which is undefined here/);
  });

  test('track: status flags are undefined at entry (adc without clc returns undefined bits)', () => {
    const machine = new Machine({ mode: 64 });
    machine.assemble('f:\n  mov rax, rdi\n  adc rax, 0\n  ret');
    const result = machine.call('f', [5]);
    expect(result.ok).toBe(true);
    expect(result.value.isDefined).toBe(false);
    expect(() => result.expectReturn()).toThrow(/undefined/);
    // With scratch: 'keep' the test decides: CF as set before the call.
    machine.setFlag('CF', 1);
    expect(machine.call('f', [5], { scratch: 'keep' }).expectReturn()).toBe(6n);
  });
});

describe('call: what cannot be passed', () => {
  const machine64 = new Machine({ mode: 64 });
  machine64.assemble('f: ret');
  const machine32 = new Machine({ mode: 32 });
  machine32.assemble('f: ret');

  test.each([
    [machine64, [1, 2.5], 1, /not an integer/],
    [machine64, [1, 2, '3' as unknown as number], 2, /is a string/],
    [machine64, [2n ** 64n], 0, /does not fit in 64 bits/],
    [machine64, [-(2n ** 63n) - 1n], 0, /does not fit in 64 bits/],
    [machine64, [2 ** 53], 0, /pass a bigint/],
    [machine32, [0, 2 ** 32], 1, /does not fit in 32 bits/],
    [machine32, [-(2 ** 31) - 1], 0, /does not fit in 32 bits/],
  ])('argument error %#', (machine, args, index, message) => {
    const error = (() => {
      try {
        machine.call('f', args);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(CallArgumentError);
    expect((error as CallArgumentError).argumentIndex).toBe(index);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(`argument ${index}`);
  });

  test('the widest values of each sign pass', () => {
    const machine = new Machine({ mode: 32 });
    machine.assemble('f:\n  mov eax, [esp+4]\n  ret');
    expect(machine.call('f', [-(2 ** 31)]).expectReturn({ signed: true })).toBe(-(2n ** 31n));
    expect(machine.call('f', [2 ** 32 - 1]).expectReturn()).toBe(2n ** 32n - 1n);
  });

  test('a convention of the other mode, or an unknown one', () => {
    expect(() => machine32.call('f', [], { convention: 'ms64' })).toThrow(CallConventionError);
    expect(() => machine64.call('f', [], { convention: 'stdcall' })).toThrow(/32-bit code.*use sysv, ms64/);
    expect(() => machine64.call('f', [], { convention: 'pascal' as CallingConvention })).toThrow(
      /unknown calling convention 'pascal'/,
    );
  });

  test('a missing symbol names itself and lists the known ones, closest first', () => {
    const machine = new Machine({ mode: 64 });
    machine.assemble('string_length: ret\nstring_copy: ret\nmemset: ret');
    const error = (() => {
      try {
        machine.call('string_lenght');
      } catch (caught) {
        return caught;
      }
    })() as SymbolNotFoundError;
    expect(error).toBeInstanceOf(SymbolNotFoundError);
    expect(error.symbolName).toBe('string_lenght');
    expect(error.known[0]).toBe('string_length');
    expect(error.message).toMatch(/unknown symbol 'string_lenght'.*string_length, string_copy, memset/);
  });
});

const cSource = `
long combine(long a1, long a2, long a3, long a4, long a5, long a6, long a7, long a8) {
  return a1 + 2*a2 + 3*a3 + 4*a4 + 5*a5 + 6*a6 + 7*a7 + 8*a8;
}
`;
const cSource32 = `
#define BODY return a1 + 2*a2 + 3*a3 + 4*a4 + 5*a5 + 6*a6 + 7*a7 + 8*a8;
#define PARAMS (int a1, int a2, int a3, int a4, int a5, int a6, int a7, int a8)
int combine_cdecl PARAMS { BODY }
__attribute__((stdcall)) int combine_stdcall PARAMS { BODY }
__attribute__((fastcall)) int combine_fastcall PARAMS { BODY }
/* Enough live values that gcc needs ebx/esi/edi/ebp and must save them. */
__attribute__((noinline)) int pressure(int *p, int n) {
  int a = 0, b = 1, c = 2, d = 3, e = 4, f = 5;
  for (int i = 0; i < n; i++) { a += p[i]; b ^= a; c += b * i; d -= c; e += d >> 1; f ^= e + i; }
  return a + b + c + d + e + f;
}
`;

describeWithTool('gcc', hasGcc, 'call: functions compiled by gcc (64-bit)', () => {
  test('sysv: gcc -O2 places and reads the arguments where call puts them', () => {
    const machine = new Machine({ mode: 64, policy: 'strict' });
    machine.assemble(compileWithGcc(cSource));
    expect(machine.call('combine', eight).expectReturn()).toBe(weighted(eight, 64));
  });

  test('ms64: gcc -mabi=ms', () => {
    const machine = new Machine({ mode: 64, policy: 'strict' });
    machine.assemble(compileWithGcc(cSource, ['-mabi=ms']));
    expect(machine.call('combine', eight, { convention: 'ms64' }).expectReturn()).toBe(weighted(eight, 64));
    // The same code called the SysV way reads the wrong registers: the oracle can tell them apart.
    const wrong = machine.call('combine', eight, { convention: 'sysv' });
    expect(wrong.returned && wrong.value.isDefined && wrong.value.bits === weighted(eight, 64)).toBe(false);
  });
});

describeWithTool('gcc -m32', hasGcc32, 'call: functions compiled by gcc -m32', () => {
  const conventions: CallingConvention[] = ['cdecl', 'stdcall', 'fastcall'];
  test.each(conventions)('%s', (convention) => {
    const machine = new Machine({ mode: 32, policy: 'strict' });
    machine.assemble(compileWithGcc(cSource32, ['-m32']));
    const result = machine.call(`combine_${convention}`, eight, { convention });
    expect(result.violations).toEqual([]);
    expect(result.expectReturn({ signed: true })).toBe(BigInt.asIntN(32, weighted(eight, 32)));
    // Called with the wrong convention, gcc's code breaks the stack contract (or reads garbage).
    const other = convention === 'cdecl' ? 'stdcall' : 'cdecl';
    expect(machine.call(`combine_${convention}`, eight, { convention: other }).ok).toBe(false);
  });

  test('gcc restores the callee-saved registers it uses', () => {
    const machine = new Machine({ mode: 32, policy: 'strict' });
    machine.assemble(compileWithGcc(cSource32, ['-m32']));
    const values = Int32Array.from([5, -3, 9, 12, 0, 7, 100, -50]);
    const array = machine.writeArray('alloc', values);
    let a = 0;
    let b = 1;
    let c = 2;
    let d = 3;
    let e = 4;
    let f = 5;
    for (let i = 0; i < values.length; i++) {
      a = (a + values[i]) | 0;
      b ^= a;
      c = (c + Math.imul(b, i)) | 0;
      d = (d - c) | 0;
      e = (e + (d >> 1)) | 0;
      f ^= (e + i) | 0;
    }
    const expected = (a + b + c + d + e + f) | 0;
    const result = machine.call('pressure', [array, values.length]);
    expect(result.violations).toEqual([]);
    expect(result.expectReturn({ signed: true })).toBe(BigInt(expected));
  });
});
