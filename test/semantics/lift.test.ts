import { describe, expect, it } from 'vitest';
import { liftBytes } from '../../src/semantics/lift.js';
import { runCli } from '../support/cli.js';

const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((pair) => Number.parseInt(pair, 16)));
const lift = (code: string, mode: 32 | 64 = 64) => liftBytes(hex(code), { mode });

describe('lift: semantics as expression trees', () => {
  it('div ecx: the quotient, the #DE condition and six UNKNOWN() flags', () => {
    const [div] = lift('f7f1');
    expect(div.form).toBe('DIV_rm32');
    expect(div.lines).toEqual([
      'raise #DE if udiv_fails(EDX:EAX, ECX)',
      'RDX := zext64(urem(EDX:EAX, ECX))',
      'RAX := zext64(udiv(EDX:EAX, ECX))',
      'CF := UNKNOWN()',
      'OF := UNKNOWN()',
      'SF := UNKNOWN()',
      'ZF := UNKNOWN()',
      'AF := UNKNOWN()',
      'PF := UNKNOWN()',
    ]);
  });

  it('xor eax, eax is a defined zero with known flags (same-register idiom)', () => {
    expect(lift('31c0')[0].lines).toEqual([
      'RAX := 0',
      'CF := 0',
      'OF := 0',
      'AF := UNKNOWN()',
      'SF := 0',
      'ZF := 1',
      'PF := 1',
    ]);
  });

  it('sbb edx, edx depends only on CF', () => {
    const lines = lift('19d2')[0].lines;
    expect(lines).toContain('t1 := neg(zext32(CF))');
    expect(lines).toContain('RDX := zext64(t1)');
    expect(lines).toContain('CF := CF');
  });

  it('shl eax, cl: count 0 keeps the flags, OF only for count 1 (exact, not a static superset)', () => {
    const lines = lift('d3e0')[0].lines.join('\n');
    expect(lines).toContain('t1 := (CL & 0x1f)');
    expect(lines).toMatch(/OF := ite\(t\d, OF, ite\(\(t1 == 1\), .*UNKNOWN\(\)\)\)/);
    expect(lines).toMatch(/AF := ite\(t\d, AF, UNKNOWN\(\)\)/);
  });

  it('in 32-bit mode, 32-bit writes do not extend', () => {
    expect(lift('01d8', 32)[0].lines[1]).toBe('EAX := t1');
  });

  it('memory operands and branches', () => {
    expect(lift('8b4308')[0].lines).toEqual(['RAX := zext64(mem32[add(RBX, 8)])']);
    expect(lift('7402')[0].lines).toEqual(['RIP := ite(ZF, 4, 2)']);
  });

  it('reports what it cannot lift, with the reason', () => {
    const [bad] = lift('0f28c1'); // movaps
    expect(bad.error).toMatch(/unsupported|movaps/i);
  });

  it('lifts arpl (the last family to get semantics)', () => {
    expect(lift('63c8', 32)[0].lines).toEqual([
      't1 := trunc2(CX)',
      't2 := (trunc2(AX) <u t1)',
      'AX := ite(t2, AX[15:2]:t1, AX)',
      'ZF := t2',
    ]);
  });
});

describe('vial lift (CLI)', () => {
  it('lifts --hex and --asm, and prints JSON', async () => {
    const text = await runCli(['lift', '--hex', 'f7f1']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('raise #DE if udiv_fails(EDX:EAX, ECX)');
    const asm = await runCli(['lift', '--asm', 'div ecx']);
    expect(asm.stdout).toBe(text.stdout);
    const json = await runCli(['lift', '--json', '--asm', 'xor eax, eax']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      form: 'XOR_rm32_r32',
      statements: expect.arrayContaining(['RAX := 0']),
    });
  });

  it('bad input: odd hex is a usage error, bad assembly names line and column', async () => {
    expect((await runCli(['lift', '--hex', 'f7f'])).code).toBe(2);
    const bad = await runCli(['lift', '--asm', 'div eccx']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/line 1:\d+/);
  });
});
