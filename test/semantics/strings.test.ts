import { describe, expect, it } from 'vitest';
import { liftBytes } from '../../src/semantics/lift.js';

const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((pair) => Number.parseInt(pair, 16)));
const lift = (code: string, mode: 32 | 64 = 64) => liftBytes(hex(code), { mode });

describe('lift: string instructions', () => {
  it('movsb without a prefix: one element, both pointers move by ±1, no rCX and no RIP assignment', () => {
    const [movsb] = lift('a4');
    expect(movsb.form).toBe('MOVSB_m8_m8');
    expect(movsb.lines).toEqual([
      'mem8[RDI] := mem8[RSI]',
      't1 := ite(DF, 0xffffffffffffffff, 1)',
      'RSI := add(RSI, t1)',
      'RDI := add(RDI, t1)',
    ]);
  });

  it('rep movsb: guarded by rCX ≠ 0, one iteration, RIP back to itself until rCX reaches 0', () => {
    const lines = lift('f3a4')[0].lines;
    expect(lines[0]).toBe('t1 := not(is_zero(RCX))');
    expect(lines[1]).toBe('if t1: mem8[RDI] := (mem8[RSI] if t1)');
    expect(lines).toContain('RCX := ite(t1, t3, RCX)');
    expect(lines.at(-1)).toBe('RIP := ite((not(t1) | is_zero(t3)), 2, 0)');
  });

  it('repe cmpsb also stops when ZF = 0; repne scasb when ZF = 1', () => {
    expect(lift('f3a6')[0].lines.at(-1)).toMatch(
      /^RIP := ite\(\(\(not\(t1\) \| is_zero\(t\d\)\) \| not\(t3\)\), 2, 0\)$/,
    );
    expect(lift('f2ae')[0].lines.at(-1)).toMatch(
      /^RIP := ite\(\(\(not\(t1\) \| is_zero\(t\d\)\) \| t\d\), 2, 0\)$/,
    );
  });

  it('cmps subtracts the destination from the source; scas the element from the accumulator', () => {
    expect(lift('a7')[0].lines.join('\n')).toContain('borrow_sub(mem32[RSI], mem32[RDI])');
    expect(lift('48af')[0].lines.join('\n')).toContain('borrow_sub(RAX, mem64[RDI])');
  });

  it('a 67 prefix uses ESI/EDI/ECX and zero-extends their writes; only the source takes FS/GS', () => {
    expect(lift('67ad')[0].lines).toEqual([
      'RAX := zext64(mem32[zext64(ESI)])',
      'RSI := zext64(add(ESI, ite(DF, 0xfffffffc, 4)))',
    ]);
    expect(lift('64a4')[0].lines[0]).toBe('mem8[RDI] := mem8[fs:RSI]');
  });

  it('32-bit mode: ESI/EDI/ECX; a 67 prefix selects SI/DI/CX', () => {
    expect(lift('aa', 32)[0].lines[0]).toBe('mem8[EDI] := AL');
    const lines = lift('67f3aa', 32)[0].lines;
    expect(lines).toContain('if t1: mem8[zext32(DI)] := AL');
    expect(lines).toContain('CX := ite(t1, t2, CX)');
    expect(lines.at(-1)).toBe('EIP := ite((not(t1) | is_zero(t2)), 3, 0)');
  });
});
