/**
 * The README's promise, checked the way a newcomer meets it: `npm pack` the package (its `files` and
 * `exports`, the built bundles), install the tarball into a fresh project, and run the README's
 * first Vitest test there, plus the matchers and the node:test helpers through their public entry
 * points. Needs `npm run build` (which `npm test` runs first).
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const built = existsSync(join(root, 'dist/bundle/index.js'));
const work = mkdtempSync(join(tmpdir(), 'vial-newcomer-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The README's first test, as printed there. */
function readmeFirstTest(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const match = /## Your first test \(Vitest\)[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('README.md has no "Your first test (Vitest)" section with a ts block');
  return match[1];
}

describe.skipIf(!built && process.env.CI !== 'true')('the packed package, in a fresh project', () => {
  it('installs from its tarball and passes the README first test', () => {
    const packed = execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: root })
      .toString()
      .trim()
      .split('\n')
      .at(-1)!;
    const project = join(work, 'project');
    const installed = join(project, 'node_modules', 'vial');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(work, packed), '-C', installed, '--strip-components=1']);
    // The test runner comes from this repository (offline); vial itself only from the tarball.
    symlinkSync(join(root, 'node_modules', 'vitest'), join(project, 'node_modules', 'vitest'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'newcomer', type: 'module' }));
    writeFileSync(join(project, 'strlen.test.ts'), readmeFirstTest());
    writeFileSync(
      join(project, 'matchers.test.ts'),
      `import { Machine, Undefined } from 'vial';
import { registerVialMatchers } from 'vial/matchers';
import { assertRegister } from 'vial/node-test';
import { expect, test } from 'vitest';
registerVialMatchers(expect);
test('div: quotient defined, flags undefined', () => {
  const machine = new Machine({ mode: 64 });
  machine.assemble('mov eax, 100\\nxor edx, edx\\nmov ecx, 7\\ndiv ecx');
  machine.run();
  expect(machine).toHaveRegister('eax', 14);
  expect(machine).toHaveFlags({ CF: Undefined, DF: 0 });
  assertRegister(machine, 'edx', 2);
});
`,
    );
    const output = execFileSync(join(root, 'node_modules', '.bin', 'vitest'), ['run', '--root', project], {
      cwd: project,
      env: { ...process.env, CI: 'true' },
    }).toString();
    expect(output).toMatch(/2 passed/);
  }, 120_000);
});
