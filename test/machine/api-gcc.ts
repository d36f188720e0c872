/**
 * gcc as an ABI oracle for the testing-API tests: C compiled with `gcc -O2 -masm=intel -S` is
 * assembled by vial and called through `Machine.call`, so argument placement, stack alignment
 * and callee-pop behaviour are checked against gcc's idea of the ABI, not ours.
 */
import { execFileSync } from 'node:child_process';
import { hasTool } from '../support/tools.js';

/** gcc can produce 64-bit Intel-syntax assembly. */
export const hasGcc = hasTool('gcc', ['-O2', '-masm=intel', '-S', '-x', 'c', '/dev/null', '-o', '/dev/null']);
/** gcc can also produce 32-bit assembly (`-m32 -S` needs no 32-bit libraries). */
export const hasGcc32 = hasGcc && hasTool('gcc', ['-m32', '-S', '-x', 'c', '/dev/null', '-o', '/dev/null']);

/**
 * `gcc -O2 -masm=intel -S` of `source` plus `flags`, returned as text. `-fno-pic` keeps 32-bit
 * code free of the GOT thunk; `-fcf-protection=none` keeps `endbr` out of the output.
 */
export function compileWithGcc(source: string, flags: readonly string[] = []): string {
  return execFileSync(
    'gcc',
    ['-O2', '-masm=intel', '-S', '-fno-pic', '-fcf-protection=none', ...flags, '-x', 'c', '-', '-o', '-'],
    { input: source, encoding: 'utf8', timeout: 30_000 },
  );
}
