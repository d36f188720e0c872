/**
 * The assembler front end: both dialects' syntax, directives, expressions, symbols, relaxation and
 * error reporting. Byte expectations here are cross-checked by the nasm / GNU as differential tests.
 */
import { describe, expect, it } from 'vitest';
import {
  AssemblyError,
  assemble,
  assembleOrThrow,
  detectDialect,
  formatDiagnostic,
} from '../../src/assembler/index.js';

function hex(source: string, options: Parameters<typeof assemble>[1] = {}): string {
  const result = assemble(source, options);
  expect(result.errors.map(formatDiagnostic)).toEqual([]);
  return Buffer.from(result.bytes).toString('hex');
}

function errors(source: string, options: Parameters<typeof assemble>[1] = {}): string[] {
  return assemble(source, options).errors.map(formatDiagnostic);
}

describe('dialects', () => {
  it('detects GNU syntax from .intel_syntax and defaults to NASM', () => {
    expect(detectDialect('\t.intel_syntax noprefix\n\tret\n')).toBe('gnu');
    expect(detectDialect('bits 64\nret\n')).toBe('nasm');
  });

  it('follows each assembler where they differ: mov r64, imm and [reg*2]', () => {
    expect(hex('mov rax, 1')).toBe('b801000000');
    expect(hex('.intel_syntax noprefix\nmov rax, 1')).toBe('48c7c001000000');
    expect(hex('mov eax, [rax*2]')).toBe('8b0400');
    expect(hex('.intel_syntax noprefix\nmov eax, DWORD PTR [rax*2]')).toBe('8b044500000000');
  });

  it('rejects AT&T syntax with a pointer to Intel syntax', () => {
    expect(errors('.att_syntax\nmovl %eax, %ebx')[0]).toMatch(/AT&T syntax is not supported/);
  });
});

describe('NASM directives and expressions', () => {
  it('handles labels, local labels, equ, %define, times, align, data and $/$$', () => {
    const source = [
      '%define COUNT 3',
      'SIZE equ COUNT * 2',
      'start:',
      '  mov ecx, SIZE',
      '.again:',
      '  dec ecx',
      '  jnz .again',
      '  times COUNT nop',
      '  align 4',
      'data: db "ab", 0',
      '  dw 0x1234',
      '  dd data - start',
      '  db $ - $$',
    ].join('\n');
    const result = assemble(source);
    expect(result.errors).toEqual([]);
    expect(Buffer.from(result.bytes).toString('hex')).toBe(
      'b906000000ffc975fc909090' + '616200' + '3412' + '0c000000' + '15',
    );
    const symbols = Object.fromEntries(result.symbols.map((symbol) => [symbol.name, symbol.value]));
    expect(symbols['start.again']).toBe(5n);
    expect(symbols.data).toBe(12n);
    expect(symbols.SIZE).toBe(6n);
  });

  it('uses org, default rel, rel and abs', () => {
    expect(hex('org 0x1000\ndefault rel\nmov eax, [x]\nx: dd 0')).toBe('8b0500000000' + '00000000');
    expect(hex('org 0x1000\nmov eax, [rel x]\nmov eax, [abs x]\nx:')).toBe('8b0507000000' + '8b04250d100000');
  });

  it('relaxes jumps: short up to 127 bytes ahead, near beyond', () => {
    expect(hex('jmp x\ntimes 127 nop\nx:').slice(0, 4)).toBe('eb7f');
    expect(hex('jmp x\ntimes 128 nop\nx:').slice(0, 10)).toBe('e980000000');
    expect(hex('x: times 126 nop\njz x').slice(-4)).toBe('7480');
    expect(hex('x: times 127 nop\njz x').slice(-12)).toBe('0f847bffffff');
  });

  it('never relaxes a branch into another section (checked against nasm -f bin and GNU as)', () => {
    expect(hex('section .text\nf: ret\nsection .data\nh: jmp f\njmp h')).toBe(
      'c3000000' + 'e9f7ffffff' + 'ebf9',
    );
    const gnu =
      '.intel_syntax noprefix\n.text\nf:\n jmp g\n nop\ng: ret\n.section .text.other,"ax",@progbits\nh: jmp f\n jmp h';
    expect(hex(gnu)).toBe('eb0190c3' + 'e9f7ffffff' + 'ebf9');
  });

  it('evaluates expressions with NASM precedence and character constants', () => {
    expect(hex('db 1 + 2 * 3, (1 + 2) * 3, 1 << 2 + 1, 7 // 2, -7 // 2, 0xf0 | 0x0f & 0x3c')).toBe(
      '07090803fdfc',
    );
    expect(hex("mov eax, 'ab'")).toBe('b861620000');
    expect(hex('db 101b, 0x1F, 1Fh, 17q, 0b11')).toBe('051f1f0f03');
  });
});

describe('GNU directives (as gcc -S -masm=intel emits them)', () => {
  const header = '.intel_syntax noprefix\n';

  it('assembles OFFSET FLAT:, sym[rip], .L labels and data directives', () => {
    const source = `${header}.text\nf:\n  lea rax, .LC0[rip]\n  mov eax, OFFSET FLAT:.LC0\n  ret\n.LC0:\n  .string "hi"\n  .long .LC0-f\n  .quad f\n`;
    expect(hex(source)).toBe(
      '488d0506000000' + 'b80d000000' + 'c3' + '686900' + '0d000000' + '0000000000000000',
    );
  });

  it('pads code with GNU as NOPs, honouring the max-skip argument', () => {
    expect(hex(`${header}ret\n.p2align 4`)).toBe(`c3${'66662e0f1f840000000000'}${'0f1f4000'}`);
    expect(hex(`${header}.rept 8\nret\n.endr\n.p2align 4,,10\nret`)).toBe(
      `${'c3'.repeat(8)}0f1f840000000000c3`,
    );
    expect(hex(`${header}ret\n.p2align 4,,10\nret`)).toBe('c3c3');
    expect(hex(`${header}.data\n.byte 1\n.p2align 2\n.byte 2`)).toBe('0100000002');
  });

  it('treats a bare symbol as memory and a .set constant as an immediate', () => {
    expect(hex(`${header}.set N, 5\nx:\nmov eax, x\nmov eax, N`)).toBe('8b042500000000' + 'b805000000');
  });

  it('expands .rept blocks and accepts ignored directives', () => {
    expect(
      hex(
        `${header}.file "a.c"\n.rept 3\nnop\n.endr\n.cfi_startproc\n.type f, @function\n.ident "x"\n.section .note.GNU-stack,"",@progbits`,
      ),
    ).toBe('909090');
  });
});

describe('errors', () => {
  it('reports line:column, what was found and what is expected', () => {
    expect(errors('nop\n        add eax, bl')).toEqual([
      'line 2:9: operand size mismatch: `add eax, bl` — both operands must be the same size',
    ]);
    expect(errors('mov ah, sil')[0]).toMatch(
      /^line 1:1: `ah` cannot be used in an instruction that needs a REX prefix/,
    );
    expect(errors('add [rax], 1')[0]).toMatch(/operation size not specified/);
    expect(errors('pusha')[0]).toMatch(/`pusha` is not valid in 64-bit mode/);
    expect(errors('mov al, 300')[0]).toMatch(/immediate 300 does not fit in 8 bits/);
  });

  it('collects several errors in one run and returns no bytes', () => {
    const result = assemble('mov eax, 1\nfoo eax\njmp nowhere\nmov [rax], 1\ndb 1,\n');
    expect(result.errors.map((error) => error.line)).toEqual([2, 3, 4, 5]);
    expect(result.errors[1].message).toBe('undefined symbol `nowhere`');
    expect(result.bytes.length).toBe(0);
  });

  it('refuses a short jump that cannot reach and a word alone on a line', () => {
    expect(errors('jmp short x\ntimes 200 nop\nx:')[0]).toMatch(/short jump target out of range/);
    expect(errors('cdqx')[0]).toBe(
      'line 1:1: unknown instruction or directive `cdqx` (a label needs a colon: `name:`)',
    );
  });

  it('reports redefinitions and division by zero', () => {
    expect(errors('x:\nx:')[0]).toBe('line 2:1: symbol `x` is already defined (line 1)');
    expect(errors('db 1/0')[0]).toMatch(/division by zero/);
  });

  it('throws one AssemblyError with every diagnostic from assembleOrThrow', () => {
    expect(() => assembleOrThrow('foo\nbar')).toThrow(AssemblyError);
    try {
      assembleOrThrow('add eax, bl\nadd ebx, cl');
    } catch (error) {
      expect((error as AssemblyError).diagnostics).toHaveLength(2);
    }
  });
});

describe('output', () => {
  it('lays out sections after .text, aligned, with symbols and a listing', () => {
    const result = assemble('section .data\nd: db 1\nsection .text\nmov eax, d\nsection .bss\nb: resb 4', {
      origin: 0x1000,
      listing: true,
    });
    expect(result.errors).toEqual([]);
    expect(result.sections.map((section) => [section.name, section.address])).toEqual([
      ['.text', 0x1000n],
      ['.data', 0x1008n],
      ['.bss', 0x100cn],
    ]);
    expect(Buffer.from(result.bytes).toString('hex')).toBe('b808100000000000' + '01');
    expect(result.listing).toContain('00001000  B8 08 10 00 00');
  });

  it('places sections at pinned addresses', () => {
    const result = assemble('section .data\nd: dd 0\nsection .text\nlea rax, [rel d]', {
      sectionAddresses: { '.text': 0x401000, '.data': 0x402000 },
    });
    expect(
      Buffer.from(result.sections.find((section) => section.name === '.text')!.bytes).toString('hex'),
    ).toBe('488d05f90f0000');
  });
});
