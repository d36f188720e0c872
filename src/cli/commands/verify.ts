import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Machine } from '../../machine/machine.js';
import { Value } from '../../value/value.js';
import { parseHexBytes, parseNumber } from '../code-input.js';
import { type CliCommand, type CliOutput, UsageError } from '../command.js';
import { styleFor } from '../style.js';

/** One state test, as a line of the JSONL file says it. */
interface StateTest {
  name?: string;
  mode?: number;
  code: string;
  origin?: string;
  initial?: {
    registers?: Record<string, string>;
    rflags?: string;
    eflags?: string;
    memory?: [string, string][];
  };
  final?: {
    registers?: Record<string, string>;
    rflags?: string;
    eflags?: string;
    memory?: [string, string][];
    fault?: string | null;
  };
  ignore?: Record<string, string>;
}

/** Why a line is not a valid state test (thrown with the reason; the caller adds the line number). */
class BadTestError extends Error {}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BadTestError(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function parseTest(line: string): StateTest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new BadTestError(`not JSON (${(error as Error).message})`);
  }
  const test = asObject(parsed, 'a test');
  if (typeof test.code !== 'string') throw new BadTestError('"code" (hex bytes) is missing');
  if (test.mode !== undefined && test.mode !== 32 && test.mode !== 64)
    throw new BadTestError('"mode" must be 32 or 64');
  for (const key of ['initial', 'final', 'ignore'])
    if (test[key] !== undefined) asObject(test[key], `"${key}"`);
  return test as unknown as StateTest;
}

/** Counts of one run. */
export interface Tally {
  passed: number;
  failed: number;
  comparedBits: number;
  undefinedBits: number;
}

const popcount = (value: bigint) => {
  let count = 0;
  for (let v = value; v > 0n; v &= v - 1n) count++;
  return count;
};

/** Runs one test; returns the differences (empty when it passes). */
function runTest(test: StateTest, tally: Tally): string[] {
  const mode = (test.mode ?? 64) as 32 | 64;
  const machine = new Machine({ mode, policy: 'track', maxSteps: 100_000 });
  const origin = test.origin ? parseNumber(test.origin, 'origin') : 0x1000n;
  const wrap = (what: string, action: () => void) => {
    try {
      action();
    } catch (error) {
      throw new BadTestError(`${what}: ${(error as Error).message}`);
    }
  };
  wrap('code', () => machine.loadCode(parseHexBytes(test.code, 'code'), origin));
  for (const [address, hex] of test.initial?.memory ?? []) {
    wrap(`memory ${address}`, () => {
      const bytes = parseHexBytes(hex, `memory ${address}`);
      const start = parseNumber(address, 'memory address');
      if (!machine.memory.isMapped(start, bytes.length))
        machine.memory.map(start, bytes.length, 0b011, 'undefined');
      machine.memory.writeBytes(start, bytes);
    });
  }
  for (const [name, value] of Object.entries(test.initial?.registers ?? {})) {
    wrap(`register ${name}`, () =>
      machine.setRegister(name, Value.of(parseNumber(value, name), machine.getRegister(name).width)),
    );
  }
  const initialFlags = test.initial?.rflags ?? test.initial?.eflags;
  if (initialFlags !== undefined) wrap('rflags', () => machine.setFlags(parseNumber(initialFlags, 'rflags')));
  const stop = machine.run();
  const differences: string[] = [];
  const expectedFault = test.final?.fault ?? null;
  const actualFault = stop.reason === 'fault' ? stop.fault : null;
  if (expectedFault !== actualFault)
    differences.push(
      `fault: expected ${expectedFault ?? 'none'}, got ${actualFault ?? `none (${stop.reason})`}`,
    );
  if (stop.reason !== 'end' && stop.reason !== 'fault' && stop.reason !== 'return')
    differences.push(`stopped: ${stop.message}`);
  const compare = (where: string, actual: Value, expected: bigint, ignored: bigint) => {
    const all = (1n << BigInt(actual.width)) - 1n;
    const compared = ~actual.undefinedMask & ~ignored & all;
    tally.comparedBits += popcount(compared);
    tally.undefinedBits += popcount(actual.undefinedMask & all);
    if (((actual.bits ^ expected) & compared) !== 0n) {
      differences.push(`${where}: expected 0x${expected.toString(16)}, got ${actual.toString()}`);
    }
  };
  const ignoreOf = (name: string) =>
    test.ignore?.[name] !== undefined ? parseNumber(test.ignore[name], `ignore ${name}`) : 0n;
  for (const [name, value] of Object.entries(test.final?.registers ?? {})) {
    let actual: Value;
    try {
      actual = machine.getRegister(name);
    } catch (error) {
      throw new BadTestError(`final register ${name}: ${(error as Error).message}`);
    }
    compare(name, actual, parseNumber(value, name), ignoreOf(name));
  }
  const finalFlags = test.final?.rflags ?? test.final?.eflags;
  if (finalFlags !== undefined) {
    // Only the modelled flags are compared; the other RFLAGS bits are not state vial keeps.
    const modelled = 0b1100_1101_0101n;
    compare(
      'rflags',
      machine.getFlags(),
      parseNumber(finalFlags, 'rflags'),
      ~modelled | ignoreOf('rflags') | ignoreOf('eflags'),
    );
  }
  for (const [address, hex] of test.final?.memory ?? []) {
    const start = parseNumber(address, 'memory address');
    const bytes = parseHexBytes(hex, `memory ${address}`);
    let actual: { bytes: Uint8Array; undefinedBits: Uint8Array };
    try {
      actual = machine.memory.readBytes(start, bytes.length);
    } catch (error) {
      throw new BadTestError(`final memory ${address}: ${(error as Error).message}`);
    }
    bytes.forEach((byte, i) => {
      compare(
        `[0x${(start + BigInt(i)).toString(16)}]`,
        Value.of(actual.bytes[i], 8, actual.undefinedBits[i]),
        BigInt(byte),
        0n,
      );
    });
  }
  return differences;
}

/** The outcome of one line of a state-test file. */
export interface StateTestResult {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly name: string;
  readonly passed: boolean;
  /** What differs (empty when the test passed or the line is invalid). */
  readonly differences: readonly string[];
  /** Why the line is not a valid test; absent for valid tests. */
  readonly invalid?: string;
}

/**
 * Runs every test of a JSONL state-test file's `text`: one result per
 * non-blank, non-comment line, the bit counts, and how many lines were invalid. `vial verify` and
 * `vial test` format these.
 */
export function runStateTests(text: string): { results: StateTestResult[]; tally: Tally; invalid: number } {
  const tally: Tally = { passed: 0, failed: 0, comparedBits: 0, undefinedBits: 0 };
  const results: StateTestResult[] = [];
  let invalid = 0;
  text.split('\n').forEach((source, index) => {
    const line = index + 1;
    if (source.trim() === '' || source.trim().startsWith('//')) return;
    let name = `line ${line}`;
    try {
      const test = parseTest(source);
      name = test.name ?? name;
      const differences = runTest(test, tally);
      if (differences.length === 0) tally.passed++;
      else tally.failed++;
      results.push({ line, name, passed: differences.length === 0, differences });
    } catch (error) {
      if (!(error instanceof BadTestError) && !(error instanceof UsageError)) throw error;
      invalid++;
      tally.failed++;
      results.push({ line, name, passed: false, differences: [], invalid: error.message });
    }
  });
  return { results, tally, invalid };
}

/** `vial verify`: JSONL state tests. */
export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'run JSONL state tests (initial state, code, expected final state)',
  help: `Usage: vial verify FILE.jsonl [--json]

Runs state tests, one JSON object per line:
  {"name":"div ecx #1","mode":64,"code":"f7f1",
   "initial":{"registers":{"rax":"0x7","rcx":"0x2","rdx":"0x0"},"rflags":"0x202","memory":[["0x2000","0011aabb"]]},
   "final":{"registers":{"rax":"0x3","rdx":"0x1"},"rflags":"0x212","memory":[["0x2000","0011aabb"]]},
   "ignore":{"rflags":"0x0"}}
32-bit tests ("mode":32) name eax..edi and may say "eflags". The code runs (track policy) from
the initial state; registers not given start undefined. Only bits vial calls defined and
"ignore" does not mask are compared; registers and memory absent from "final" are not compared.
"final" may say "fault":"#DE" when the code must fault. Blank lines and lines starting with //
are skipped.

Options:
  --json   print JSON Lines: one result object per test, then a summary object

JSON Lines (--json):
  {"line":1,"name":"div ecx #1","passed":true,"differences":[]}
  {"line":2,"name":"line 2","passed":false,"error":"FILE:2: not JSON (...)"}
  {"summary":true,"passed":3,"failed":0,"comparedBits":480,"undefinedBits":18,"invalid":0}

Examples:
  vial verify examples/div.jsonl
  vial verify examples/div.jsonl --json

Exit codes: 0 every test passed, 1 a test failed or a line is not a valid test (the other
tests still run), 2 usage error.`,
  async run(args: string[], out: CliOutput): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      options: { json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new UsageError('expected one FILE.jsonl');
    let text: string;
    try {
      text = readFileSync(positionals[0], 'utf8');
    } catch (error) {
      out.stderr(`${positionals[0]}: cannot read (${(error as { code?: string }).code ?? String(error)})\n`);
      return 1;
    }
    const style = styleFor(out.color);
    const { results, tally, invalid: bad } = runStateTests(text);
    for (const { line, name, passed, differences, invalid } of results) {
      const error = invalid === undefined ? undefined : `${positionals[0]}:${line}: ${invalid}`;
      if (values.json)
        out.stdout(
          `${JSON.stringify(error ? { line, name, passed, error } : { line, name, passed, differences })}\n`,
        );
      else if (error) out.stderr(`${error}\n`);
      else
        out.stdout(
          `${passed ? `${style.success('ok')}  ` : style.failure('FAIL')} ${name}${differences.map((d) => `\n     ${d}`).join('')}\n`,
        );
    }
    const summary = `${tally.comparedBits} bits compared, ${tally.undefinedBits} skipped as undefined${bad ? `; ${bad} invalid line(s)` : ''}`;
    if (values.json) out.stdout(`${JSON.stringify({ summary: true, ...tally, invalid: bad })}\n`);
    else out.stdout(`${summary}\n${tally.passed} passed, ${tally.failed} failed\n`);
    return tally.failed > 0 ? 1 : 0;
  },
};
