/**
 * Every `ts` snippet of docs/testing-api.md runs here, so the documentation cannot drift from the
 * API. Snippets are plain JavaScript apart from their `import … from 'vial'` line, which is
 * replaced by the same names taken from the package's entry point.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as vial from '../../src/index.js';

const markdown = readFileSync(new URL('../../docs/testing-api.md', import.meta.url), 'utf8');
const snippets = [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...parameters: string[]
) => (...args: unknown[]) => Promise<void>;

describe('docs/testing-api.md', () => {
  test('has snippets', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(5);
  });

  test.each(snippets.map((snippet, index) => [index + 1, snippet]))('snippet %i runs', async (_, snippet) => {
    const names: string[] = [];
    const body = String(snippet).replace(/^import \{([^}]*)\} from 'vial';\n/m, (_line, list: string) => {
      names.push(...list.split(',').map((name) => name.trim()));
      return '';
    });
    for (const name of names) expect(vial, `'${name}' is exported by vial`).toHaveProperty(name);
    const run = new AsyncFunction('vial', 'expect', `const { ${names.join(', ')} } = vial;\n${body}`);
    await run(vial, expect);
  });
});
