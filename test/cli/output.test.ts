/**
 * The CLI's output for people and for scripts: colours only where they belong (NO_COLOR,
 * FORCE_COLOR, --color, terminals), aligned registers and trace columns, every command's --help
 * with examples that actually run, --json that parses for every command, and docs/cli.md in step
 * with --help.
 */
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliOutput } from '../../src/cli/command.js';
import { commands } from '../../src/cli/commands/index.js';
import { main } from '../../src/cli/main.js';
import { parseColorChoice, shouldColor, visibleLength } from '../../src/cli/style.js';
import { hostOracleAvailability } from '../../src/oracle/host-oracle.js';
import { runCli } from '../support/cli.js';
import { inCI } from '../support/tools.js';

const repositoryRoot = new URL('../../', import.meta.url).pathname;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape codes are what these tests look for.
const ESCAPE = /\x1b\[/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above.
const stripEscapes = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

/** Runs the CLI as if stdout were (or were not) a terminal, with the given environment. */
async function runWith(args: string[], isTTY: boolean, env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const out: CliOutput = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTTY,
  };
  const code = await main(args, out, env);
  return { code, stdout, stderr };
}

const divProgram = [
  '--asm',
  'mov eax, 100',
  '--asm',
  'xor edx, edx',
  '--asm',
  'mov ecx, 7',
  '--asm',
  'div ecx',
];

describe('colours', () => {
  it('follow --color, then NO_COLOR, then FORCE_COLOR, then the terminal', () => {
    expect(shouldColor('auto', true, {})).toBe(true);
    expect(shouldColor('auto', false, {})).toBe(false);
    expect(shouldColor('auto', true, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor('auto', true, { NO_COLOR: '' })).toBe(true); // no-color.org: only a non-empty value counts
    expect(shouldColor('auto', false, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldColor('auto', true, { FORCE_COLOR: '0' })).toBe(false);
    expect(shouldColor('auto', true, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(shouldColor('auto', true, { TERM: 'dumb' })).toBe(false);
    expect(shouldColor('always', false, { NO_COLOR: '1' })).toBe(true);
    expect(shouldColor('never', true, { FORCE_COLOR: '1' })).toBe(false);
    expect(parseColorChoice(undefined)).toBe('always');
    expect(() => parseColorChoice('sometimes')).toThrow(/always, never or auto/);
  });

  it('a terminal gets colours; NO_COLOR, a pipe and --color=never get none', async () => {
    for (const command of ['exec', 'trace']) {
      const args = [command, ...divProgram];
      expect((await runWith(args, true, {})).stdout).toMatch(ESCAPE);
      expect((await runWith(args, true, { NO_COLOR: '1' })).stdout).not.toMatch(ESCAPE);
      expect((await runWith(args, false, {})).stdout).not.toMatch(ESCAPE);
      expect((await runWith([...args, '--color=never'], true, { FORCE_COLOR: '1' })).stdout).not.toMatch(
        ESCAPE,
      );
      expect((await runWith(args, false, { FORCE_COLOR: '1' })).stdout).toMatch(ESCAPE);
      expect((await runWith(['--color=always', ...args], false, {})).stdout).toMatch(ESCAPE);
    }
  });

  it('colours only add escape codes: without them the text is the plain output, byte for byte', async () => {
    for (const args of [
      ['run', 'examples/div.asm'],
      ['trace', 'examples/div.asm', '--mode', '32'],
      ['exec', '--hex', 'f7f1', '--set', 'rax=1', '--set', 'rdx=0', '--set', 'rcx=0'], // #DE: red
      ['exec', '--mem', '0x2000=0011aabb', '--dump', '0x2000:4', '--asm', 'inc dword [0x2000]'],
      ['verify', 'examples/div.jsonl'],
    ]) {
      const plain = await runWith(args, false, {});
      const coloured = await runWith(args, false, { FORCE_COLOR: '1' });
      expect(coloured.stdout, args.join(' ')).not.toBe(plain.stdout);
      expect(stripEscapes(coloured.stdout), args.join(' ')).toBe(plain.stdout);
    }
  });

  it('--json never gets colours, even when forced', async () => {
    const result = await runWith(['exec', '--json', ...divProgram], true, { FORCE_COLOR: '1' });
    expect(result.stdout).not.toMatch(ESCAPE);
    JSON.parse(result.stdout);
  });

  it('a bad --color value is a usage error', async () => {
    const result = await runWith(['--color=sometimes', 'demo'], false, {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--color must be always, never or auto/);
  });
});

/** The column where each `name 0x` register cell starts, per line. */
function cellStarts(line: string): number[] {
  return [...line.matchAll(/(?:^| )\s*([a-z][a-z0-9]{1,2}) 0x/g)].map(
    (match) => (match.index ?? 0) + match[0].indexOf(match[1]) + match[1].length,
  );
}

describe('register output', () => {
  it('64-bit: four registers a row in encoding order, rip last, changed values marked *', async () => {
    const result = await runCli(['run', 'examples/div.asm']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatchInlineSnapshot(`
      "stop: end at 0x1015 after 6 steps — reached the end of the code
      rax 0x0000_0000_0000_000e*  rcx 0x0000_0000_0000_0007*  rdx 0x0000_0000_0000_0002*  rbx 0x0000_0000_0000_0001*
      rsp 0x0000_0000_7ffe_fef8   rbp 0x????_????_????_????   rsi 0x????_????_????_????   rdi 0x????_????_????_????
       r8 0x????_????_????_????    r9 0x????_????_????_????   r10 0x????_????_????_????   r11 0x????_????_????_????
      r12 0x????_????_????_????   r13 0x????_????_????_????   r14 0x????_????_????_????   r15 0x????_????_????_????
      rip 0x0000_0000_0000_1015*
      flags CF=? PF=? AF=? ZF=? SF=? OF=? DF=0
      "
    `);
  });

  it('32-bit: eight registers, eip, eflags', async () => {
    const result = await runCli(['exec', '--mode', '32', ...divProgram, '--set', 'ebx=0x12345678']);
    expect(result.stdout).toMatchInlineSnapshot(`
      "stop: end at 0x100e after 4 steps — reached the end of the code
      eax 0x0000_000e*  ecx 0x0000_0007*  edx 0x0000_0002*  ebx 0x1234_5678
      esp 0x7ffe_fefc   ebp 0x????_????   esi 0x????_????   edi 0x????_????
      eip 0x0000_100e*
      flags CF=? PF=? AF=? ZF=? SF=? OF=? DF=0
      "
    `);
  });

  it('columns stay aligned when a value has mixed-bit digits', async () => {
    // and al, 0x5 leaves eax = 0x????_???? & 5: digits of mixed defined/undefined bits ([0?0?]).
    for (const mode of ['32', '64']) {
      const result = await runCli(['exec', '--mode', mode, '--asm', 'and eax, 5', '--asm', 'or ecx, 0x30']);
      expect(result.stdout).toMatch(/\[0\?0\?\]/);
      const registerLines = result.stdout
        .split('\n')
        .filter((line) => / 0x/.test(line) && !line.startsWith('stop'));
      const starts = registerLines.slice(0, -1).map(cellStarts); // the ip's row has one cell
      for (const row of starts) expect(row, result.stdout).toEqual(starts[0]);
      for (const line of registerLines) expect(line).toBe(line.trimEnd());
    }
  });

  it('memory dumps: ?? for undefined bytes, sixteen a line', async () => {
    const result = await runCli([
      'exec',
      '--mem',
      '0x2000=00112233445566778899aabbccddeeff42',
      '--dump',
      '0x2000:17',
      '--asm',
      'mov [0x2001], al', // al is undefined: the byte becomes ??
    ]);
    expect(result.stdout).toMatch(/^mem 0x2000: 00 \?\? 22 33 44 55 66 77 88 99 aa bb cc dd ee ff$/m);
    expect(result.stdout).toMatch(/^mem 0x2010: 42$/m);
  });
});

describe('trace output', () => {
  it('64-bit: address, bytes, disassembly and changes in aligned columns', async () => {
    const result = await runCli(['trace', 'examples/div.asm']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatchInlineSnapshot(`
      "0x00001000  b8 64 00 00 00                 mov eax, 0x64                     rax=0x0000_0000_0000_0064
      0x00001005  31 d2                          xor edx, edx                      rdx=0x0000_0000_0000_0000 CF=0 PF=1 ZF=1 SF=0 OF=0
      0x00001007  b9 07 00 00 00                 mov ecx, 0x7                      rcx=0x0000_0000_0000_0007
      0x0000100c  f7 f1                          div ecx                           rax=0x0000_0000_0000_000e rdx=0x0000_0000_0000_0002 CF=? PF=? ZF=? SF=? OF=?
      0x0000100e  72 05                          jb short 0x1015
      0x00001010  bb 01 00 00 00                 mov ebx, 0x1                      rbx=0x0000_0000_0000_0001
      stop: end at 0x1015 after 6 steps — reached the end of the code
      rax 0x0000_0000_0000_000e*  rcx 0x0000_0000_0000_0007*  rdx 0x0000_0000_0000_0002*  rbx 0x0000_0000_0000_0001*
      rsp 0x0000_0000_7ffe_fef8   rbp 0x????_????_????_????   rsi 0x????_????_????_????   rdi 0x????_????_????_????
       r8 0x????_????_????_????    r9 0x????_????_????_????   r10 0x????_????_????_????   r11 0x????_????_????_????
      r12 0x????_????_????_????   r13 0x????_????_????_????   r14 0x????_????_????_????   r15 0x????_????_????_????
      rip 0x0000_0000_0000_1015*
      flags CF=? PF=? AF=? ZF=? SF=? OF=? DF=0
      "
    `);
  });

  it('32-bit', async () => {
    const result = await runCli(['trace', '--mode', '32', ...divProgram]);
    expect(result.stdout).toMatchInlineSnapshot(`
      "0x00001000  b8 64 00 00 00                 mov eax, 0x64                     eax=0x0000_0064
      0x00001005  31 d2                          xor edx, edx                      edx=0x0000_0000 CF=0 PF=1 ZF=1 SF=0 OF=0
      0x00001007  b9 07 00 00 00                 mov ecx, 0x7                      ecx=0x0000_0007
      0x0000100c  f7 f1                          div ecx                           eax=0x0000_000e edx=0x0000_0002 CF=? PF=? ZF=? SF=? OF=?
      stop: end at 0x100e after 4 steps — reached the end of the code
      eax 0x0000_000e*  ecx 0x0000_0007*  edx 0x0000_0002*  ebx 0x????_????
      esp 0x7ffe_fefc   ebp 0x????_????   esi 0x????_????   edi 0x????_????
      eip 0x0000_100e*
      flags CF=? PF=? AF=? ZF=? SF=? OF=? DF=0
      "
    `);
  });

  it('the disassembly column starts at the same place on every line', async () => {
    const result = await runCli(['trace', ...divProgram, '--asm', 'lea r8, [rax+rcx*8+0x12345678]']);
    const lines = result.stdout.split('\n').filter((line) => line.startsWith('0x0000'));
    expect(lines).toHaveLength(5);
    const textColumn = lines.map((line) => line.search(/(mov|xor|div|lea) /));
    expect(new Set(textColumn).size).toBe(1);
    const changesColumn = lines.map((line) => line.search(/ (rax|rdx|rcx|r8)=/));
    expect(new Set(changesColumn).size).toBe(1);
  });

  it('--json: JSON Lines, one per instruction and a final state matching exec --json', async () => {
    const trace = await runCli(['trace', '--json', ...divProgram]);
    const lines = trace.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(5);
    expect(lines[3]).toMatchObject({ step: 4, address: '0x100c', bytes: 'f7f1', text: 'div ecx' });
    expect(lines[3].changes.rax).toEqual({ value: '0xe', undefined: '0x0' });
    expect(lines[3].changes.CF.undefined).toBe('0x1');
    const { final, ...state } = lines[4];
    expect(final).toBe(true);
    const exec = JSON.parse((await runCli(['exec', '--json', ...divProgram])).stdout);
    expect(state).toEqual(exec);
  });
});

/** Splits a shell command line: words, 'single' and "double" quotes; a # word starts a comment. */
function shellWords(line: string): { words: string[]; comment: string } {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === "'" || char === '"') {
      const end = line.indexOf(char, i + 1);
      if (end < 0) throw new Error(`unbalanced ${char} in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (char === ' ') {
      if (word !== null) words.push(word);
      word = null;
    } else if (char === '#' && word === null) {
      return { words, comment: line.slice(i + 1).trim() };
    } else {
      word = (word ?? '') + char;
    }
  }
  if (word !== null) words.push(word);
  return { words, comment: '' };
}

/** Expands a `*` in the last path component, as a shell would (sorted; no match keeps the word). */
function expandGlob(word: string): string[] {
  const slash = word.lastIndexOf('/');
  const name = word.slice(slash + 1);
  if (!name.includes('*')) return [word];
  const directory = slash < 0 ? '.' : word.slice(0, slash);
  const pattern = new RegExp(
    `^${name
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  const matches = readdirSync(directory)
    .filter((entry) => pattern.test(entry))
    .sort()
    .map((entry) => (slash < 0 ? entry : `${directory}/${entry}`));
  return matches.length > 0 ? matches : [word];
}

/** The `vial …` lines of a help text's Examples: section. */
function examplesOf(help: string): string[] {
  const section = help.split(/^Examples:$/m)[1] ?? '';
  const lines: string[] = [];
  for (const line of section.split('\n').slice(1)) {
    if (!line.startsWith('  ')) break;
    if (line.trim().startsWith('vial ')) lines.push(line.trim());
  }
  return lines;
}

const overviewHelp = async () => (await runCli(['--help'])).stdout;

describe('--help', () => {
  it('every command has help with usage, at least two examples and the exit codes', async () => {
    for (const command of commands) {
      const help = (await runCli([command.name, '--help'])).stdout;
      expect(help, command.name).toMatch(/^Usage: vial /m);
      expect(examplesOf(help).length, command.name).toBeGreaterThanOrEqual(2);
      expect(help, command.name).toMatch(/Exit codes:?[\s\S]*\b0\b[\s\S]*\b2\b/);
      for (const example of examplesOf(help)) expect(example, command.name).toMatch(/^vial \S+/);
    }
    const overview = await overviewHelp();
    expect(overview).toMatch(/Exit codes:\n {2}0 .*\n {2}1 [\s\S]*\n {2}2 +usage error/);
    for (const command of commands) expect(overview).toMatch(new RegExp(`^ {2}${command.name} +\\S`, 'm'));
  });

  it('`vial help NAME` is `vial NAME --help`; an unknown topic is a usage error', async () => {
    expect((await runCli(['help', 'trace'])).stdout).toBe((await runCli(['trace', '--help'])).stdout);
    const unknown = await runCli(['help', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'nope'/);
  });

  describe('every example in every help text runs', () => {
    const originalDirectory = process.cwd();
    // Examples use paths such as examples/div.asm and may write files (-o div.bin): they run in a
    // scratch directory where `examples` points at the repository's.
    beforeAll(() => {
      const scratch = mkdtempSync(join(tmpdir(), 'vial-help-examples-'));
      symlinkSync(join(repositoryRoot, 'examples'), join(scratch, 'examples'));
      process.chdir(scratch);
    });
    afterAll(() => process.chdir(originalDirectory));

    const oracle = hostOracleAvailability();
    const helps = [
      { name: 'vial', help: () => overviewHelp() },
      ...commands.map((command) => ({ name: command.name, help: async () => command.help })),
    ];
    for (const { name, help } of helps) {
      it(name, async () => {
        for (const example of examplesOf(await help())) {
          const { words, comment } = shellWords(example);
          if (words[1] === 'check' && !oracle.available && !inCI) {
            console.warn(`skipped '${example}': ${oracle.reason}`);
            continue;
          }
          const result = await runCli(words.slice(1).flatMap(expandGlob));
          const expected = /exits 1/.test(comment) ? 1 : 0;
          expect(result.code, `${example}\n${result.stderr}`).toBe(expected);
          expect(result.stderr, example).not.toMatch(/\n\s+at /);
        }
      });
    }
  });
});

/** Parses output that is one JSON document or JSON Lines. */
function parseJsonOutput(text: string): unknown[] {
  try {
    return [JSON.parse(text)];
  } catch {
    return text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
  }
}

describe('--json on every command that outputs data', () => {
  const cases: Record<string, string[]> = {
    demo: ['demo', '--json'],
    asm: ['asm', '--asm', 'start: mov eax, 1', '--json'],
    disasm: ['disasm', '--hex', '48 01 d8 c3', '--json'],
    lift: ['lift', '--asm', 'div ecx', '--json'],
    exec: ['exec', '--hex', 'f7f1', '--json'],
    run: ['run', 'examples/div.asm', '--json'],
    trace: ['trace', '--hex', 'f7f1', '--json'],
    verify: ['verify', 'examples/div.jsonl', '--json'],
    check: ['check', '--instr', 'not', '--cases', '5', '--json'],
    leak: [
      'leak',
      'examples/leaky.mjs',
      '--export',
      'tidy',
      '--time-budget',
      '300',
      '--no-diagnose',
      '--json',
    ],
  };

  it('the table covers every command', () => {
    for (const command of commands) {
      if (command.name === 'test') continue; // `vial test` belongs to its own test file
      expect(Object.keys(cases), command.name).toContain(command.name);
    }
  });

  for (const [name, args] of Object.entries(cases)) {
    it(name, async () => {
      if (name === 'check' && !hostOracleAvailability().available && !inCI) return;
      const result = await runCli(args);
      expect(result.code, result.stderr).toBe(0);
      const documents = parseJsonOutput(result.stdout);
      expect(documents.length).toBeGreaterThan(0);
      for (const document of documents) expect(typeof document).toBe('object');
    });
  }

  it('lift --json has the statements as trees', async () => {
    const [first] = parseJsonOutput((await runCli(['lift', '--asm', 'add al, bl', '--json'])).stdout) as {
      ir: { kind: string; location: { kind: string }; value: { kind: string; operation?: string } }[];
    }[];
    expect(first.ir[0]).toMatchObject({
      kind: 'assign',
      location: { kind: 'gpr' },
      value: { kind: 'operation' },
    });
    expect(first.ir.some((statement) => statement.location?.kind === 'flag')).toBe(true);
  });
});

describe('docs/cli.md', () => {
  const path = join(repositoryRoot, 'docs/cli.md');
  /** `<!-- help:NAME -->` … `<!-- /help:NAME -->`: the help text, verbatim. */
  const block = (name: string) => new RegExp(`(<!-- help:${name} -->\n)[\\s\\S]*?(<!-- /help:${name} -->)`);
  const fenced = (help: string) => `\`\`\`text\n${help.trimEnd()}\n\`\`\`\n`;

  it('reproduces every help text verbatim (UPDATE_CLI_DOCS=1 rewrites the blocks)', async () => {
    let reference = readFileSync(path, 'utf8');
    const helps: [string, string][] = [
      ['vial', await overviewHelp()],
      ...commands.map((command): [string, string] => [command.name, command.help]),
    ];
    if (process.env.UPDATE_CLI_DOCS) {
      for (const [name, help] of helps) {
        if (!block(name).test(reference))
          reference += `\n## vial ${name}\n\n<!-- help:${name} -->\n<!-- /help:${name} -->\n`;
        reference = reference.replace(block(name), (_, open, close) => `${open}${fenced(help)}${close}`);
      }
      writeFileSync(path, reference);
    }
    for (const [name, help] of helps) {
      if (name === 'test' && !block(name).test(reference)) continue; // added by the `vial test` work
      const match = block(name).exec(reference);
      expect(match, `docs/cli.md has no <!-- help:${name} --> block`).not.toBeNull();
      expect(match?.[0], `docs/cli.md differs from \`vial ${name} --help\`; run UPDATE_CLI_DOCS=1 …`).toBe(
        `<!-- help:${name} -->\n${fenced(help)}<!-- /help:${name} -->`,
      );
    }
  });

  it('documents the exit codes and every command in the JSON table', () => {
    const reference = readFileSync(path, 'utf8');
    expect(reference).toMatch(/## Exit codes/);
    for (const command of commands) {
      if (command.name === 'test') continue;
      expect(reference).toMatch(new RegExp(`^\\| [^|]*\`${command.name}\`[^|]*\\|`, 'm'));
    }
  });
});

it('visibleLength ignores escape codes', () => {
  expect(visibleLength('\x1b[35m??\x1b[39m')).toBe(2);
});

describe('docs', () => {
  /** `$ vial …` blocks whose output is pasted in full (no `…`): the command, then the expected output. */
  function pastedRuns(markdown: string): { command: string; output: string }[] {
    const runs: { command: string; output: string }[] = [];
    for (const [, body] of markdown.matchAll(/```text\n([\s\S]*?)```/g)) {
      if (!body.startsWith('$ vial ') || body.includes('…')) continue;
      const lines = body.split('\n');
      let command = lines.shift() ?? '';
      while (command.endsWith('\\'))
        command = `${command.slice(0, -1).trimEnd()} ${(lines.shift() ?? '').trim()}`;
      runs.push({ command: command.slice(2), output: lines.join('\n') });
    }
    return runs;
  }

  for (const name of ['concepts.md', 'cli.md']) {
    it(`the command output pasted in docs/${name} is what the commands print`, async () => {
      const runs = pastedRuns(readFileSync(join(repositoryRoot, 'docs', name), 'utf8'));
      expect(runs.length).toBeGreaterThanOrEqual(name === 'concepts.md' ? 4 : 2);
      for (const { command, output } of runs) {
        const { words } = shellWords(command);
        const result = await runCli(words.slice(1));
        expect(result.stdout, command).toBe(output);
      }
    });
  }
});
