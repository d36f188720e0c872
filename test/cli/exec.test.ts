import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

async function execJson(args: string[]) {
  const result = await runCli(['exec', '--json', ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

describe('vial exec (the JSON contract)', () => {
  it('runs hex code from a given state: div ecx', async () => {
    const state = await execJson(['--hex', 'f7f1', '--set', 'rax=7', '--set', 'rcx=2', '--set', 'rdx=0']);
    expect(state.mode).toBe(64);
    expect(state.stop).toMatchObject({ reason: 'end', fault: null });
    expect(state.steps).toBe(1);
    expect(state.registers.rax).toEqual({ value: '0x3', undefined: '0x0' });
    expect(state.registers.rdx).toEqual({ value: '0x1', undefined: '0x0' });
    expect(state.registers.rbx.undefined).toBe('0xffffffffffffffff');
    expect(state.registers.rip.value).toBe('0x1002');
    expect(state.rflags.undefined).toBe('0x8d5');
    expect(Object.keys(state.registers)).toHaveLength(17);
  });

  it('32-bit mode names eax..edi, eip and eflags', async () => {
    const state = await execJson(['--mode', '32', '--asm', 'mov eax, 5', '--asm', 'add eax, eax']);
    expect(state.registers.eax).toEqual({ value: '0xa', undefined: '0x0' });
    expect(state.registers.eip).toBeDefined();
    expect(state.eflags.value).toBeDefined();
    expect(Object.keys(state.registers)).toHaveLength(9);
  });

  it('zero policy: registers start at 0 and nothing is undefined', async () => {
    const state = await execJson(['--undefined', 'zero', '--hex', '90']);
    expect(state.registers.rbx).toEqual({ value: '0x0', undefined: '0x0' });
    expect(state.rflags.undefined).toBe('0x0');
  });

  it('faults are results: #DE with its address', async () => {
    const state = await execJson(['--hex', 'f7f1', '--set', 'rcx=0', '--set', 'rdx=0', '--set', 'rax=1']);
    expect(state.stop).toMatchObject({ reason: 'fault', fault: '#DE', address: '0x1000' });
  });

  it('memory: --mem fills, --dump reads back with the undefined mask', async () => {
    const state = await execJson([
      '--mem',
      '0x2000=0011aabb',
      '--dump',
      '0x2000:4',
      '--asm',
      'inc dword [0x2000]',
    ]);
    expect(state.memory).toEqual([{ address: '0x2000', bytes: '0111aabb', undefined: '00000000' }]);
  });

  it('a top-level ret stops with reason return; strict mode stops on an undefined branch', async () => {
    expect((await execJson(['--hex', 'c3'])).stop.reason).toBe('return');
    const strict = await execJson([
      '--undefined',
      'strict',
      '--asm',
      'cmp eax, 1',
      '--asm',
      'je x',
      '--asm',
      'nop',
      '--asm',
      'x:',
    ]);
    expect(strict.stop.reason).toBe('strict');
  });

  it('the step limit stops an endless loop', async () => {
    const state = await execJson(['--max-steps', '50', '--hex', 'ebfe']);
    expect(state.stop.reason).toBe('limit');
    expect(state.steps).toBe(50);
  });

  it('prints the state for people, with ? for undefined digits', async () => {
    const result = await runCli(['exec', '--hex', 'b001']);
    expect(result.stdout).toMatch(/stop: end at 0x1002 after 1 step/);
    expect(result.stdout).toMatch(/rax 0x\?\?\?\?_\?\?\?\?_\?\?\?\?_\?\?01/);
  });

  it('bad input is a clear error, never a stack trace', async () => {
    const cases: [string[], RegExp, number][] = [
      [['--hex', 'zz'], /not hex bytes/, 2],
      [['--hex', '90', '--asm', 'nop'], /exactly once/, 2],
      [['--hex', '90', '--set', 'foo=1'], /unknown general register 'foo'/, 2],
      [['--hex', '90', '--set', 'rax'], /expected REG=VALUE/, 2],
      [['--hex', '90', '--mode', '16'], /--mode must be 32 or 64/, 2],
      [['--hex', '90', '--undefined', 'maybe'], /zero, track or strict/, 2],
      [['--hex', '90', '--dump', '0x9000:4'], /not mapped/, 2],
      [['--asm', 'mov eax,'], /--asm: line 1:\d+/, 1],
      [['/nonexistent.asm'], /no such file/, 1],
    ];
    for (const [args, message, code] of cases) {
      const result = await runCli(['exec', ...args]);
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
