import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHostOracle, hostOracleAvailability } from '../../src/oracle/host-oracle.js';
import { runCli } from '../support/cli.js';
import { describeWithTool } from '../support/tools.js';

const directory = mkdtempSync(join(tmpdir(), 'vial-verify-'));
function file(name: string, lines: string[]): string {
  const path = join(directory, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('vial verify', () => {
  it('passes the example file, counting compared and undefined bits', async () => {
    const result = await runCli(['verify', 'examples/div.jsonl']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^3 passed, 0 failed$/m);
    expect(result.stdout).toMatch(/\d+ bits compared, [1-9]\d* skipped as undefined/);
  });

  it('reports a wrong expectation, and keeps going after a bad line', async () => {
    const path = file('mixed.jsonl', [
      '{"name":"wrong","code":"01d8","initial":{"registers":{"rax":"1","rbx":"2"}},"final":{"registers":{"eax":"4"}}}',
      '{"name":"broken", "code": ',
      '{"name":"no code"}',
      '{"name":"right","code":"01d8","initial":{"registers":{"rax":"1","rbx":"2"}},"final":{"registers":{"eax":"3"}}}',
    ]);
    const result = await runCli(['verify', path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL wrong\n\s+eax: expected 0x4, got 0x0000_0003/);
    expect(result.stdout).toMatch(/ok {3}right/);
    expect(result.stderr).toMatch(/mixed\.jsonl:2: not JSON/);
    expect(result.stderr).toMatch(/mixed\.jsonl:3: "code" \(hex bytes\) is missing/);
    expect(result.stdout).toMatch(/^1 passed, 3 failed$/m);
  });

  it('an expected value never matches an undefined bit: everything undefined cannot pass silently', async () => {
    // rbx is never set, so ebx is undefined: nothing is compared, and the summary says so.
    const path = file('undefined.jsonl', ['{"code":"90","final":{"registers":{"ebx":"0x5"}}}']);
    const result = await runCli(['verify', path]);
    expect(result.stdout).toMatch(/0 bits compared, 32 skipped as undefined/);
  });

  it('a missing file and a missing argument are clear errors', async () => {
    expect((await runCli(['verify', '/nonexistent.jsonl'])).stderr).toMatch(/cannot read \(ENOENT\)/);
    expect((await runCli(['verify'])).code).toBe(2);
  });
});

describeWithTool(
  'the host-CPU oracle',
  hostOracleAvailability().available,
  'vial verify against tests the CPU wrote',
  () => {
    it('state tests recorded on this CPU pass', async () => {
      const oracle = await createHostOracle({ mode: 64 });
      const codes = ['01d8', '29d8', 'f7e3', '48f7f3', 'd3e0', '0fafc3', '31d8', '48c1f805'];
      const lines: string[] = [];
      try {
        for (const [index, code] of codes.entries()) {
          const registers = {
            rax: BigInt(index * 977 + 5),
            rbx: 0x1234n + BigInt(index),
            rcx: BigInt(index),
            rdx: 0n,
          };
          const [result] = await oracle.run([
            { code: Uint8Array.from(Buffer.from(code, 'hex')), registers, rflags: 0x202n },
          ]);
          const hex = (value: bigint) => `0x${value.toString(16)}`;
          lines.push(
            JSON.stringify({
              name: code,
              code,
              origin: '0x10000',
              initial: {
                registers: Object.fromEntries(Object.entries(registers).map(([k, v]) => [k, hex(v)])),
                rflags: '0x202',
              },
              final: {
                registers: {
                  rax: hex(result.registers.rax),
                  rbx: hex(result.registers.rbx),
                  rdx: hex(result.registers.rdx),
                },
                rflags: hex(result.rflags),
              },
            }),
          );
        }
      } finally {
        await oracle.close();
      }
      const result = await runCli(['verify', file('cpu.jsonl', lines)]);
      expect(result.stdout).toMatch(new RegExp(`^${codes.length} passed, 0 failed$`, 'm'));
    });
  },
);
