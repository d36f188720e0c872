import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { type AsmTestFailure, checkAsmTestCase } from '../../asmtest/check.js';
import { type AsmTestCase, type Located, parseAsmTest, type SourceLocation } from '../../asmtest/parse.js';
import type { Machine } from '../../machine/machine.js';
import { type CodeInput, CodeInputError, readCode } from '../code-input.js';
import { type CliCommand, type CliOutput, UsageError } from '../command.js';
import { setUpMachine } from '../machine-setup.js';
import { runStateTests } from './verify.js';

/** Where code is loaded, as for `vial exec`. */
const ORIGIN = 0x1000n;

/** The counts every file adds to. */
interface Totals {
  passed: number;
  failed: number;
}

/** Prints per case, as text or JSON Lines. */
interface Reporter {
  result(file: string, name: string, line: number, failures: readonly AsmTestFailure[]): void;
  /** A problem with the file itself (unreadable, a malformed directive at `location`). */
  fileError(file: string, location: SourceLocation | null, message: string): void;
}

function textReporter(out: CliOutput): Reporter {
  return {
    result(file, name, _line, failures) {
      const head = `${failures.length === 0 ? 'PASS' : 'FAIL'} ${file} > ${name}`;
      const [first, ...rest] = failures.map((f) => `${file}:${f.line}:${f.column}: ${f.message}`);
      out.stdout(`${first ? `${head} — ${first}` : head}\n${rest.map((line) => `    ${line}\n`).join('')}`);
    },
    fileError(file, location, message) {
      out.stdout(`FAIL ${file}${location ? `:${location.line}:${location.column}:` : ' —'} ${message}\n`);
    },
  };
}

function jsonReporter(out: CliOutput): Reporter {
  return {
    result(file, name, line, failures) {
      out.stdout(`${JSON.stringify({ file, case: name, line, passed: failures.length === 0, failures })}\n`);
    },
    fileError(file, location, message) {
      out.stdout(`${JSON.stringify({ file, ...location, passed: false, error: message })}\n`);
    },
  };
}

/**
 * Sets the machine up with `vial exec`'s parsers; when one directive is malformed, finds which (one
 * set-up per directive) so the error points at its line and column.
 */
function setUp(code: CodeInput, testCase: AsmTestCase): Machine {
  const values = {
    undefined: testCase.policy,
    set: testCase.set.map((d) => d.value),
    map: testCase.map.map((d) => d.value),
    mem: testCase.mem.map((d) => d.value),
    'max-steps': testCase.maxSteps?.value,
  };
  try {
    return setUpMachine(code, values);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const directives: [keyof typeof values, Located<string>][] = [
      ...testCase.map.map((d) => ['map', d] as [keyof typeof values, Located<string>]),
      ...testCase.mem.map((d) => ['mem', d] as [keyof typeof values, Located<string>]),
      ...testCase.set.map((d) => ['set', d] as [keyof typeof values, Located<string>]),
    ];
    if (testCase.maxSteps) directives.push(['max-steps', testCase.maxSteps]);
    for (const [kind, directive] of directives) {
      try {
        setUpMachine(code, {
          undefined: testCase.policy,
          [kind]: kind === 'max-steps' ? directive.value : [directive.value],
        });
      } catch (inner) {
        if (inner instanceof UsageError)
          throw new DirectiveError(
            directive,
            `@${kind} ${directive.text}: ${inner.message.replace(/^--[a-z-]+ [^:\s]*: /, '')}`,
          );
        throw inner;
      }
    }
    // Each directive is fine alone (e.g. --mem into a region --map made read-only): blame the case.
    throw new DirectiveError({ line: testCase.line, column: 1 }, error.message);
  }
}

/** A set-up problem at a directive. */
class DirectiveError extends Error {
  constructor(
    readonly location: { line: number; column: number },
    message: string,
  ) {
    super(message);
  }
}

/** Runs the cases of one assembly file. */
function runAsmFile(path: string, reporter: Reporter, totals: Totals): void {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    reporter.fileError(path, null, `cannot read (${(error as { code?: string }).code ?? String(error)})`);
    totals.failed++;
    return;
  }
  const parsed = parseAsmTest(source, basename(path));
  if (parsed.errors.length > 0) {
    for (const error of parsed.errors) reporter.fileError(path, error, error.message);
    totals.failed++;
    return;
  }
  const codeByMode = new Map<32 | 64, CodeInput | string>();
  for (const testCase of parsed.cases) {
    let code = codeByMode.get(testCase.mode);
    if (code === undefined) {
      try {
        code = readCode({ mode: String(testCase.mode) }, [path], ORIGIN);
      } catch (error) {
        if (!(error instanceof CodeInputError)) throw error;
        code = error.message;
      }
      codeByMode.set(testCase.mode, code);
    }
    let failures: AsmTestFailure[];
    if (typeof code === 'string') {
      failures = [
        {
          line: testCase.line,
          column: 1,
          message: `the code does not assemble in ${testCase.mode}-bit mode:\n${code}`,
        },
      ];
    } else {
      try {
        const machine = setUp(code, testCase);
        const stop = machine.run();
        failures = checkAsmTestCase(testCase, machine, stop);
      } catch (error) {
        if (!(error instanceof DirectiveError)) throw error;
        failures = [{ ...error.location, message: error.message }];
      }
    }
    if (failures.length === 0) totals.passed++;
    else totals.failed++;
    reporter.result(path, testCase.name, testCase.line, failures);
  }
}

/** Runs the state tests of a `.jsonl` file (`vial verify`'s format and checks) as cases of this command. */
function runJsonlFile(path: string, reporter: Reporter, totals: Totals): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    reporter.fileError(path, null, `cannot read (${(error as { code?: string }).code ?? String(error)})`);
    totals.failed++;
    return;
  }
  for (const result of runStateTests(text).results) {
    if (result.invalid !== undefined)
      reporter.fileError(path, { line: result.line, column: 1 }, result.invalid);
    else {
      const failures = result.differences.map((message) => ({ line: result.line, column: 1, message }));
      reporter.result(path, result.name, result.line, failures);
    }
    if (result.passed) totals.passed++;
    else totals.failed++;
  }
}

/** `vial test`: assembly files with expectations in comments, and JSONL state tests. */
export const testCommand: CliCommand = {
  name: 'test',
  summary: 'run assembly test files (expectations in ; @expect comments) and JSONL state tests',
  help: `Usage: vial test FILE... [--json]

Runs each FILE.asm (NASM or GNU Intel syntax) whose comments carry expectations:
  ; @mode 64                      32 or 64 (default 64)
  ; @undefined track              zero | track | strict (default track)
  ; @set rdi=0x10 rsi=3           initial registers (REG=VALUE, ? = undefined), as vial exec --set
  ; @map 0x2000:0x1000:rw         map memory, as vial exec --map
  ; @mem 0x2000=0011aabb          fill memory, as vial exec --mem
  ; @expect rax=0x13 CF=0 ZF=0    registers (any alias), flags, memory ([0x2000]=aabb);
                                  undefined or a ? digit: the VM must call those bits undefined
  ; @expect-fault #DE             the run must stop with this fault
  ; @expect-stop strict           …or this stop reason (hlt, int3, syscall, limit, return, …)
  ; @case NAME                    starts a case; directives above the first @case apply to all
Without @expect-stop the code must run to its end (or return from the top level). A number never
matches an undefined bit. FILE.jsonl runs the state tests of \`vial verify\`. See docs/asm-tests.md.

Output: one line per case, PASS FILE > CASE or FAIL FILE > CASE — FILE:LINE:COL: expected …, got …
(further differences on indented lines), then N passed, N failed.

Options:
  --json   JSON Lines: {"file","case","line","passed","failures":[{"line","column","message"}]}
           per case, then {"summary":true,"passed":N,"failed":N}

Examples:
  vial test examples/asm-tests/*.asm
  vial test examples/asm-tests/sum.asm examples/div.jsonl --json

Exit codes: 0 every case passed, 1 a case failed or a file is invalid (malformed directive, code
that does not assemble: FILE:LINE:COLUMN and what was expected), 2 usage error.`,
  async run(args: string[], out: CliOutput): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      options: { json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length === 0) throw new UsageError('expected at least one FILE (.asm, .s or .jsonl)');
    const json = values.json === true;
    const reporter = json ? jsonReporter(out) : textReporter(out);
    const totals: Totals = { passed: 0, failed: 0 };
    for (const path of positionals) {
      if (path.endsWith('.jsonl')) runJsonlFile(path, reporter, totals);
      else runAsmFile(path, reporter, totals);
    }
    if (json) out.stdout(`${JSON.stringify({ summary: true, ...totals })}\n`);
    else out.stdout(`${totals.passed} passed, ${totals.failed} failed\n`);
    return totals.failed > 0 ? 1 : 0;
  },
};
