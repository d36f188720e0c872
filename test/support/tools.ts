/**
 * External tools (nasm, gcc, GNU as, the host-CPU oracle, Unicorn) that some tests need.
 *
 * Outside CI a missing tool skips the test with a visible message. Under `CI=true` a missing tool is a
 * failure: CI installs everything, so a skip there would hide a broken install step.
 */
import { execFileSync } from 'node:child_process';
import { describe } from 'vitest';

const cache = new Map<string, boolean>();

/** True when `command` runs (e.g. `hasTool('nasm', ['-v'])`). */
export function hasTool(command: string, probeArgs: string[] = ['--version']): boolean {
  const key = `${command} ${probeArgs.join(' ')}`;
  let found = cache.get(key);
  if (found === undefined) {
    try {
      execFileSync(command, probeArgs, { stdio: 'ignore', timeout: 10_000 });
      found = true;
    } catch {
      found = false;
    }
    cache.set(key, found);
  }
  return found;
}

/** True when the CI environment demands every external tool. */
export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/**
 * `describe` that runs when the tool is present, skips with a printed reason when it is not,
 * and fails under CI=true when it is not.
 */
export function describeWithTool(tool: string, available: boolean, name: string, body: () => void): void {
  if (available) {
    describe(name, body);
    return;
  }
  if (inCI) {
    describe(name, () => {
      throw new Error(`${tool} is required under CI=true but was not found (install it in .ci/run)`);
    });
    return;
  }
  console.warn(`[skip] ${name}: ${tool} not found — install it to run these tests`);
  describe.skip(name, body);
}
