#!/usr/bin/env node
// Proves the core entry point is browser-safe: bundles src/index.ts for the browser with esbuild and
// fails if any Node built-in module is pulled in (directly or through a dependency).
import { builtinModules } from 'node:module';
import { build } from 'esbuild';

const nodeBuiltins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const offending = [];

const result = await build({
  entryPoints: ['src/index.ts'],
  bundle: true,
  platform: 'browser',
  format: 'esm',
  write: false,
  metafile: true,
  logLevel: 'silent',
  plugins: [
    {
      name: 'forbid-node-builtins',
      setup(pluginBuild) {
        pluginBuild.onResolve({ filter: /.*/ }, (args) => {
          if (nodeBuiltins.has(args.path)) {
            offending.push(`${args.importer} imports ${args.path}`);
            return { path: args.path, external: true };
          }
          return undefined;
        });
      },
    },
  ],
}).catch((error) => {
  console.error('browser bundle failed:', error.message);
  process.exit(1);
});

if (offending.length > 0) {
  console.error(
    `The core entry point pulls in Node built-ins (not allowed in the browser):\n  ${offending.join('\n  ')}`,
  );
  process.exit(1);
}
const bytes = result.outputFiles.reduce((sum, file) => sum + file.contents.length, 0);
console.log(
  `browser bundle of src/index.ts: ok (${Object.keys(result.metafile.inputs).length} modules, ${bytes} bytes, no Node built-ins)`,
);
