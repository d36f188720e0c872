/**
 * Example: testing functions compiled by gcc. `checksum.s` is gcc's output for `checksum.c`
 * (`gcc -O2 -masm=intel -S checksum.c`), committed so the test runs without gcc. vial assembles
 * gcc's GNU-syntax output as it is and calls the functions by the System V ABI.
 *
 * Oracles: small JavaScript models of the C, and — when gcc is installed — the C itself compiled
 * natively and run on this CPU. With gcc present the test also regenerates the assembly to check
 * that what today's gcc emits still assembles and behaves the same (not byte for byte: other gcc
 * versions may choose other instructions).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
// In your own project: import { Machine } from 'vial';
import { Machine } from '../../src/index.js';
import { describeWithTool, hasTool } from '../../test/support/tools.js';

const here = (name: string) => new URL(`./${name}`, import.meta.url).pathname;
const committedAssembly = readFileSync(here('checksum.s'), 'utf8');

// Inputs every check below uses.
const satInputs: [number, number][] = [
  [1, 2],
  [-5, 3],
  [2147483647, 1],
  [-2147483648, -1],
  [2000000000, 2000000000],
  [-2000000000, -2000000000],
];
const gcdInputs: [bigint, bigint][] = [
  [12n, 18n],
  [17n, 5n],
  [0n, 9n],
  [9n, 0n],
  [2n ** 64n - 1n, 2n ** 32n - 1n],
];
const fletcherInputs = ['', 'abcde', 'abcdef', 'abcdefgh', 'x'.repeat(1000)];

/** Runs every input through the functions in `assembly` and returns the results as text lines. */
function resultsOf(assembly: string): string[] {
  const machine = new Machine({ mode: 64, policy: 'strict' });
  machine.assemble(assembly);
  const lines: string[] = [];
  for (const [a, b] of satInputs) {
    // A C `int32_t` result is the low 32 bits of RAX; the upper half is not part of the ABI.
    lines.push(String(machine.call('sat_add32', [a, b]).expectReturn({ width: 32, signed: true })));
  }
  for (const [a, b] of gcdInputs) lines.push(String(machine.call('gcd64', [a, b]).expectReturn()));
  for (const text of fletcherInputs) {
    const data = machine.writeString(text);
    lines.push(String(machine.call('fletcher16', [data, text.length]).expectReturn({ width: 16 })));
  }
  return lines;
}

/** The same computations in JavaScript. */
function modelResults(): string[] {
  const clamp = (x: number) => Math.min(2147483647, Math.max(-2147483648, x));
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
  const fletcher = (text: string) => {
    let sum1 = 0;
    let sum2 = 0;
    for (const byte of new TextEncoder().encode(text)) {
      sum1 = (sum1 + byte) % 255;
      sum2 = (sum2 + sum1) % 255;
    }
    return (sum2 << 8) | sum1;
  };
  return [
    ...satInputs.map(([a, b]) => String(clamp(a + b))),
    ...gcdInputs.map(([a, b]) => String(gcd(a, b))),
    ...fletcherInputs.map((text) => String(fletcher(text))),
  ];
}

describe('gcc-compiled checksum.s', () => {
  test('every function agrees with the JavaScript model', () => {
    expect(resultsOf(committedAssembly)).toEqual(modelResults());
  });

  test('gcc code keeps the ABI in strict mode (no violations, no undefined reads)', () => {
    const machine = new Machine({ mode: 64, policy: 'strict' });
    machine.assemble(committedAssembly);
    expect(machine.call('gcd64', [48, 36]).violations).toEqual([]);
    expect(machine.call('fletcher16', [machine.writeString('abc'), 3]).ok).toBe(true);
  });
});

describeWithTool('gcc', hasTool('gcc'), 'checksum.c with the installed gcc', () => {
  const directory = mkdtempSync(join(tmpdir(), 'vial-example-'));

  test('today’s gcc output still assembles and gives the same results', () => {
    const fresh = execFileSync('gcc', ['-O2', '-masm=intel', '-S', here('checksum.c'), '-o', '-'], {
      encoding: 'utf8',
    });
    expect(resultsOf(fresh)).toEqual(modelResults());
  });

  test('the C run natively on this CPU agrees with vial', () => {
    // A harness that prints one result per line, in the order resultsOf uses.
    const harness = `
#include <stdio.h>
#include <stdint.h>
#include <string.h>
int32_t sat_add32(int32_t, int32_t); uint64_t gcd64(uint64_t, uint64_t);
uint16_t fletcher16(const uint8_t *, size_t);
int main(void) {
${satInputs.map(([a, b]) => `  printf("%d\\n", sat_add32(${a}, ${b}));`).join('\n')}
${gcdInputs.map(([a, b]) => `  printf("%llu\\n", (unsigned long long)gcd64(${a}ULL, ${b}ULL));`).join('\n')}
${fletcherInputs.map((text) => `  printf("%u\\n", fletcher16((const uint8_t *)"${text}", ${text.length}));`).join('\n')}
  return 0;
}`;
    writeFileSync(join(directory, 'harness.c'), harness);
    const binary = join(directory, 'harness');
    execFileSync('gcc', ['-O2', '-o', binary, here('checksum.c'), join(directory, 'harness.c')]);
    const native = execFileSync(binary, { encoding: 'utf8' }).trim().split('\n');
    expect(resultsOf(committedAssembly)).toEqual(native);
  });
});
