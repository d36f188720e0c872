import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAsmTest } from '../../src/asmtest/parse.js';
import { Undefined, Value } from '../../src/value/index.js';
import { runCli } from '../support/cli.js';

const examples = readdirSync('examples/asm-tests')
  .filter((name) => name.endsWith('.asm'))
  .map((name) => `examples/asm-tests/${name}`);

describe('vial test FILE.asm', () => {
  it('runs every example case and passes', async () => {
    const { code, stdout, stderr } = await runCli(['test', ...examples]);
    expect(stderr).toBe('');
    const lines = stdout.trimEnd().split('\n');
    const results = lines.slice(0, -1);
    expect(results.length).toBeGreaterThanOrEqual(10);
    for (const line of results) expect(line).toMatch(/^PASS examples\/asm-tests\/\S+\.asm > \S/);
    expect(lines.at(-1)).toBe(`${results.length} passed, 0 failed`);
    expect(code).toBe(0);
  });

  it('reports each failure at its directive, one result line per case, and exits 1', async () => {
    const { code, stdout } = await runCli(['test', 'test/cli/fixtures/failing.asm']);
    expect(code).toBe(1);
    expect(stdout).toMatchInlineSnapshot(`
      "PASS test/cli/fixtures/failing.asm > right
      FAIL test/cli/fixtures/failing.asm > wrong sum — test/cli/fixtures/failing.asm:10:11: expected rax = 0x0000_0000_0000_0014, got 0x0000_0000_0000_0013 (bits 0–2 differ)
          test/cli/fixtures/failing.asm:10:20: expected ZF = 0, got ?
      FAIL test/cli/fixtures/failing.asm > a number never matches an undefined bit — test/cli/fixtures/failing.asm:14:11: expected rax = 0x0000_0000_0000_0000, got 0x????_????_????_???? (bits 0–63 undefined)
      FAIL test/cli/fixtures/failing.asm > expected a fault that does not happen — test/cli/fixtures/failing.asm:18:3: expected stop fault #DE, got end at 0x1004 (reached the end of the code)
      1 passed, 3 failed
      "
    `);
  });

  it('malformed directives are errors with file:line:column and what would be accepted', async () => {
    const { code, stdout } = await runCli(['test', 'test/cli/fixtures/malformed.asm']);
    expect(code).toBe(1);
    expect(stdout).toMatchInlineSnapshot(`
      "FAIL test/cli/fixtures/malformed.asm:2:9: @mode must be 32 or 64, not '48'
      FAIL test/cli/fixtures/malformed.asm:3:20: 'ZZ' is not a general register, a flag (CF, PF, AF, ZF, SF, DF, OF) or [ADDR]
      FAIL test/cli/fixtures/malformed.asm:3:25: eax='0x1_0000_0000' does not fit in 32 bits
      FAIL test/cli/fixtures/malformed.asm:4:3: @expect-fault takes one fault vector (#DE, #UD, #GP, #PF, #BR, #OF, #BP), not '#XX'
      FAIL test/cli/fixtures/malformed.asm:5:3: unknown directive '@frobnicate': expected one of @case, @mode, @undefined, @set, @map, @mem, @max-steps, @expect, @expect-stop, @expect-fault
      0 passed, 1 failed
      "
    `);
  });

  it("set-up directives go through vial exec's parsers; a bad one is located", async () => {
    const { code, stdout } = await runCli(['test', 'test/cli/fixtures/bad-setup.asm']);
    expect(code).toBe(1);
    expect(stdout).toMatchInlineSnapshot(`
      "FAIL test/cli/fixtures/bad-setup.asm > bad register value — test/cli/fixtures/bad-setup.asm:3:17: @set rsi=zz: 'zz' is not a number (use decimal or 0x hex)
      FAIL test/cli/fixtures/bad-setup.asm > bad mapping — test/cli/fixtures/bad-setup.asm:6:8: @map 0x2000: expected ADDR:LEN[:rwx]
      0 passed, 2 failed
      "
    `);
  });

  it('code that does not assemble fails its cases with the assembler diagnostic', async () => {
    const { code, stdout } = await runCli(['test', 'test/cli/fixtures/bad-code.asm']);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /^FAIL test\/cli\/fixtures\/bad-code\.asm > bad-code\.asm — test\/cli\/fixtures\/bad-code\.asm:1:1: the code does not assemble in 64-bit mode:\ntest\/cli\/fixtures\/bad-code\.asm: line 3:15: /m,
    );
    expect(stdout).toMatch(/0 passed, 1 failed\n$/);
  });

  it('--json prints one object per case and a summary', async () => {
    const { code, stdout } = await runCli(['test', 'test/cli/fixtures/failing.asm', '--json']);
    expect(code).toBe(1);
    const records = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records.at(-1)).toEqual({ summary: true, passed: 1, failed: 3 });
    expect(records[1]).toEqual({
      file: 'test/cli/fixtures/failing.asm',
      case: 'wrong sum',
      line: 8,
      passed: false,
      failures: [
        {
          line: 10,
          column: 11,
          message: 'expected rax = 0x0000_0000_0000_0014, got 0x0000_0000_0000_0013 (bits 0–2 differ)',
        },
        { line: 10, column: 20, message: 'expected ZF = 0, got ?' },
      ],
    });
  });

  it('.jsonl files run through vial verify; totals cover every file; unreadable files fail', async () => {
    const text = await runCli(['test', 'examples/div.jsonl', 'examples/asm-tests/sum.asm', 'missing.jsonl']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^PASS examples\/div\.jsonl > div ecx #1$/m);
    expect(text.stdout).toMatch(/^FAIL missing\.jsonl — cannot read \(ENOENT\)$/m);
    expect(text.stdout).not.toMatch(/bits compared/);
    const jsonlCases = text.stdout.match(/^PASS examples\/div\.jsonl/gm)?.length ?? 0;
    expect(text.stdout).toMatch(new RegExp(`\\n${jsonlCases + 4} passed, 1 failed\\n$`));
    const json = await runCli(['test', 'examples/div.jsonl', '--json']);
    expect(json.code).toBe(0);
    const records = json.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records[0]).toMatchObject({ file: 'examples/div.jsonl', passed: true });
    expect(records.at(-1)).toEqual({ summary: true, passed: jsonlCases, failed: 0 });
  });

  it('.jsonl failures and invalid lines are reported like .asm ones, at their line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vial-test-'));
    const path = join(dir, 'cases.jsonl');
    writeFileSync(
      path,
      [
        '{"name":"nop","code":"90","initial":{"registers":{"rax":"0x1"}},"final":{"registers":{"rax":"0x1"}}}',
        '{"name":"inc","code":"48ffc0","initial":{"registers":{"rax":"0x1"}},"final":{"registers":{"rax":"0x3"}}}',
        'not json',
      ].join('\n'),
    );
    const text = await runCli(['test', path]);
    expect(text.code).toBe(1);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe(`PASS ${path} > nop`);
    expect(lines[1]).toBe(`FAIL ${path} > inc — ${path}:2:1: rax: expected 0x3, got 0x0000_0000_0000_0002`);
    expect(lines[2].startsWith(`FAIL ${path}:3:1: not JSON (`)).toBe(true); // the rest is V8's message
    expect(lines.slice(3)).toEqual(['1 passed, 2 failed', '']);
    const json = await runCli(['test', path, '--json']);
    const records = json.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records[1]).toEqual({
      file: path,
      case: 'inc',
      line: 2,
      passed: false,
      failures: [{ line: 2, column: 1, message: 'rax: expected 0x3, got 0x0000_0000_0000_0002' }],
    });
    expect(records[2]).toMatchObject({ file: path, line: 3, column: 1, passed: false });
    expect(records.at(-1)).toEqual({ summary: true, passed: 1, failed: 2 });
  });

  it('needs at least one file', async () => {
    const { code, stderr } = await runCli(['test']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/expected at least one FILE/);
  });
});

describe('parseAsmTest (browser-safe parser)', () => {
  it('defaults before the first @case apply to every case; cases override or add', () => {
    const { cases, errors } = parseAsmTest(
      [
        '; @mode 32',
        '; @set eax=1',
        '; @expect ZF=0',
        '; @case one',
        '; @set ebx=2',
        '; @expect eax=0x????_??01 [0x10]=aa??',
        '; @case two',
        '; @undefined strict',
        '; @mode 64',
        '# @expect-stop fault #de',
        '; @expect r8d=-1 al=undefined',
      ].join('\n'),
    );
    expect(errors).toEqual([]);
    expect(cases.map((c) => [c.name, c.line, c.mode, c.policy, c.set.map((s) => s.value)])).toEqual([
      ['one', 4, 32, 'track', ['eax=1', 'ebx=2']],
      ['two', 7, 64, 'strict', ['eax=1']],
    ]);
    expect(cases[0].stop).toBeNull();
    expect(cases[1].stop?.value).toEqual({ reason: 'fault', fault: '#DE' });
    const [zf, eax, memory] = cases[0].expectations;
    expect(zf).toMatchObject({ line: 3, column: 11, value: { kind: 'flag', flag: 'ZF' } });
    expect(eax.value).toEqual({ kind: 'register', name: 'eax', expected: Value.of(1, 32, 0xffff_ff00) });
    expect(memory.value).toEqual({ kind: 'memory', address: 0x10n, bytes: [0xaa, Undefined] });
    expect(cases[1].expectations.map((e) => e.value)).toEqual([
      { kind: 'flag', flag: 'ZF', expected: Value.of(0, 1) },
      { kind: 'register', name: 'r8d', expected: Value.of(0xffff_ffff, 32) },
      { kind: 'register', name: 'al', expected: Value.unknown(8) },
    ]);
  });

  it('a register the mode lacks is an error at the token, in the case that uses it', () => {
    const { errors } = parseAsmTest('; @mode 32\n; @expect r8=1 [x]=00 al=0x1?? CF=2\n; @case\n; @max-steps');
    expect(errors).toEqual([
      { line: 2, column: 11, message: "register 'r8' does not exist in 32-bit mode" },
      { line: 2, column: 16, message: "'[x]': the address must be a number, e.g. [0x2000]" },
      { line: 2, column: 23, message: "al='0x1??' does not fit in 8 bits" },
      { line: 2, column: 32, message: "CF='2' does not fit in 1 bit" },
      { line: 3, column: 3, message: '@case needs a name, e.g. ; @case divide by zero' },
      { line: 4, column: 3, message: '@max-steps takes one step count' },
    ]);
  });
});
