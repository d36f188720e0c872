/**
 * Loading programs (assemble, loadBytes, several at once, sections with their permissions),
 * symbols, and stepping by symbol with the coarse register and flag views.
 */
import { describe, expect, test } from 'vitest';
import {
  AssemblyError,
  assembleOrThrow,
  Machine,
  type SymbolNotFoundError,
  Undefined,
} from '../../src/index.js';
import { describeWithTool, hasTool } from '../support/tools.js';

describe('loading', () => {
  test('assemble maps, loads and points RIP at the code; symbols are addresses', () => {
    const machine = new Machine({ mode: 64 });
    const program = machine.assemble('start:\n  mov eax, 1\nsecond:\n  inc eax');
    expect(program.address).toBe(0x400000n);
    expect(program.size).toBe(7);
    expect(program.symbol('second')).toBe(0x400005n);
    expect(machine.symbol('start')).toBe(program.address);
    expect(machine.getRegister('rip').bits).toBe(program.address);
    expect(machine.run().reason).toBe('end');
    expect(machine.registerCoarse('eax')).toBe(2);
  });

  test('the bytes are exactly what the assembler produces, at the requested address', () => {
    const source = 'f:\n  lea rax, [rel g]\n  ret\ng:\n  dq 0x1122334455667788';
    const machine = new Machine({ mode: 64 });
    const program = machine.assemble(source, { address: 0x1234000 });
    const reference = assembleOrThrow(source, { origin: 0x1234000 });
    expect(machine.readBytes(program.address, program.size)).toEqual(reference.bytes);
    expect(machine.call('f').expectReturn()).toBe(0x1234000n + 8n);
  });

  test('several programs: later code goes to a free address, every symbol stays callable', () => {
    const machine = new Machine({ mode: 64 });
    const first = machine.assemble('one:\n  mov eax, 1\n  ret');
    const second = machine.assemble('two:\n  mov eax, 2\n  ret');
    // loadBytes symbols are offsets into the bytes.
    const third = machine.loadBytes(Uint8Array.from([0x90, 0xb8, 3, 0, 0, 0, 0xc3]), undefined, {
      symbols: { three: 1 },
    });
    expect(second.address).toBeGreaterThanOrEqual(first.end);
    expect(third.address).toBeGreaterThanOrEqual(second.end);
    expect(third.symbol('three')).toBe(third.address + 1n);
    expect(machine.call('one').expectReturn()).toBe(1n);
    expect(machine.call('two').expectReturn()).toBe(2n);
    expect(machine.call('three').expectReturn()).toBe(3n);
    expect(() => machine.loadBytes(Uint8Array.of(0xc3), undefined, { symbols: { x: 1 } })).toThrow(
      /offset 1 is outside/,
    );
  });

  test('loadBytes at an address, and a NASM source in 32-bit mode', () => {
    const machine = new Machine({ mode: 32 });
    const program = machine.loadBytes(Uint8Array.from([0x8b, 0x44, 0x24, 0x04, 0xc3]), 0x8048000n);
    expect(program.address).toBe(0x8048000n);
    expect(machine.call(0x8048000, [77]).expectReturn()).toBe(77n);
    machine.assemble('double:\n  mov eax, [esp+4]\n  add eax, eax\n  ret');
    expect(machine.call('double', [21]).expectReturn()).toBe(42n);
  });

  test('sections get linker permissions: .text r-x, .rodata r--, .data and .bss rw-', () => {
    const machine = new Machine({ mode: 64, policy: 'strict' });
    machine.assemble(`
section .text
bump:
  inc qword [rel counter]
  inc qword [rel zeroed]
  mov rax, [rel counter]
  add rax, [rel zeroed]
  ret
write_code:
  mov byte [rel bump], 0x90
  ret
write_rodata:
  mov byte [rel constant], 1
  ret
section .rodata
constant: dq 7
section .data
counter: dq 10
section .bss
zeroed: resq 1
`);
    expect(machine.call('bump').expectReturn()).toBe(12n);
    expect(machine.call('bump').expectReturn()).toBe(14n);
    expect(machine.call('write_code').stop.pageFault?.reason).toBe('protection');
    expect(machine.call('write_rodata').stop.pageFault?.reason).toBe('protection');
  });

  test('bad source throws the assembler’s error with the line', () => {
    const machine = new Machine({ mode: 64 });
    expect(() => machine.assemble('f:\n  mov eax, \n')).toThrow(AssemblyError);
  });

  test('a missing symbol throws, listing the symbols of every loaded program', () => {
    const machine = new Machine({ mode: 64 });
    expect(() => machine.symbol('main')).toThrow(/no program with symbols is loaded/);
    machine.assemble('parse_int: ret');
    machine.assemble('parse_float: ret\nprint: ret');
    const error = (() => {
      try {
        machine.symbol('parse_flaot');
      } catch (caught) {
        return caught as SymbolNotFoundError;
      }
    })();
    expect(error?.known).toEqual(['parse_float', 'parse_int', 'print']);
  });
});

describe('stepping', () => {
  const source = `
count:
  xor eax, eax
.loop:
  add eax, edi
  dec esi
  jnz .loop
middle:
  shl eax, 3
done:
  ret
`;

  test('runUntil a symbol, then on to another', () => {
    const machine = new Machine({ mode: 64 });
    machine.assemble(source);
    machine.setRegister('edi', 5);
    machine.setRegister('esi', 3);
    machine.setRegister('rip', machine.symbol('count'));
    const stop = machine.runUntil('middle');
    expect(stop.reason).toBe('breakpoint');
    expect(stop.address).toBe(machine.symbol('middle'));
    expect(machine.registerCoarse('eax')).toBe(15);
    expect(machine.flagCoarse('ZF')).toBe(1);
    expect(machine.runUntil('done').address).toBe(machine.symbol('done'));
    expect(machine.registerCoarse('eax')).toBe(120);
    // runUntil leaves no breakpoint behind.
    expect(machine.breakpoints.size).toBe(0);
  });

  test('breakpoints by symbol stop a call; coarse views show undefined state', () => {
    const machine = new Machine({ mode: 64 });
    machine.assemble(source);
    expect(machine.registerCoarse('rbx')).toBe(Undefined);
    expect(machine.flagCoarse('CF')).toBe(Undefined);
    expect(machine.addBreakpoint('middle')).toBe(machine.symbol('middle'));
    const result = machine.call('count', [2, 4]);
    expect(result.stop.reason).toBe('breakpoint');
    expect(result.ok).toBe(false);
    expect(machine.registerCoarse('eax')).toBe(8);
    // SHL by 3 leaves OF undefined (SDM: OF is defined only for 1-bit shifts).
    machine.removeBreakpoint('middle');
    expect(machine.run().reason).toBe('return');
    expect(machine.flagCoarse('OF')).toBe(Undefined);
    expect(machine.registerCoarse('rax')).toBe(64n);
    expect(() => machine.addBreakpoint('midle')).toThrow(/closest first\): middle/);
  });
});

describeWithTool('nasm', hasTool('nasm', ['-v']), 'loading: nasm as the oracle for the bytes', () => {
  test('the loaded bytes equal nasm -f bin output', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const source = 'bits 64\norg 0x500000\nf:\n  mov rax, [rel data]\n  ret\ndata: dq 5\n';
    const directory = mkdtempSync(join(tmpdir(), 'vial-api-'));
    writeFileSync(join(directory, 'f.asm'), source);
    execFileSync('nasm', ['-f', 'bin', '-o', join(directory, 'f.bin'), join(directory, 'f.asm')]);
    const machine = new Machine({ mode: 64 });
    const program = machine.assemble(source);
    expect(program.address).toBe(0x500000n);
    expect(machine.readBytes(program.address, program.size)).toEqual(
      new Uint8Array(readFileSync(join(directory, 'f.bin'))),
    );
    expect(machine.call('f').expectReturn()).toBe(5n);
  });
});
