/**
 * Judges one assembly test case after its run: the stop, then every `@expect`, each failure tied to
 * the directive that asked for it. Browser-safe, like the parser.
 */
import type { Machine, Stop } from '../machine/machine.js';
import { diffStates, ExpectationError, type ExpectedState } from '../machine/snapshot.js';
import type { AsmExpectation, AsmTestCase, SourceLocation } from './parse.js';

/** Why a case failed, at the directive (or `@case` line) responsible. */
export interface AsmTestFailure extends SourceLocation {
  readonly message: string;
}

/** The expectation as `diffStates` takes it. */
function asExpectedState(expectation: AsmExpectation): ExpectedState {
  switch (expectation.kind) {
    case 'register':
      return { registers: { [expectation.name]: expectation.expected } };
    case 'flag':
      return { flags: { [expectation.flag]: expectation.expected } };
    case 'memory':
      return { memory: [[expectation.address, expectation.bytes]] };
  }
}

/** How a stop reads in a message: `fault #DE at 0x1004 (…)`. */
function describeStop(stop: Stop): string {
  return `${stop.reason}${stop.fault ? ` ${stop.fault}` : ''} at 0x${stop.address.toString(16)} (${stop.message})`;
}

/**
 * Every failure of `testCase` given the machine after the run and how it stopped (empty: it passed).
 * Without `@expect-stop`/`@expect-fault` the code must reach its end or return from the top level.
 * A `?` digit or `undefined` in an expectation requires undefined bits; a number never matches one.
 */
export function checkAsmTestCase(testCase: AsmTestCase, machine: Machine, stop: Stop): AsmTestFailure[] {
  const failures: AsmTestFailure[] = [];
  const expected = testCase.stop;
  if (expected) {
    const matches =
      stop.reason === expected.value.reason &&
      (expected.value.fault === null || stop.fault === expected.value.fault);
    if (!matches)
      failures.push({
        line: expected.line,
        column: expected.column,
        message: `expected stop ${expected.value.reason}${expected.value.fault ? ` ${expected.value.fault}` : ''}, got ${describeStop(stop)}`,
      });
  } else if (stop.reason !== 'end' && stop.reason !== 'return') {
    failures.push({
      line: testCase.line,
      column: 1,
      message: `expected the code to run to its end, got ${describeStop(stop)} (say @expect-stop or @expect-fault if that is intended)`,
    });
  }
  for (const expectation of testCase.expectations) {
    try {
      for (const difference of diffStates(machine, asExpectedState(expectation.value), {
        requireUndefined: true,
      }))
        failures.push({ line: expectation.line, column: expectation.column, message: difference.message });
    } catch (error) {
      if (!(error instanceof ExpectationError)) throw error;
      failures.push({ line: expectation.line, column: expectation.column, message: error.message });
    }
  }
  return failures;
}
