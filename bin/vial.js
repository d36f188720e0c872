#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/bundle/cli.js (built by `npm run build`, which `npm ci` runs via `prepare`).
import { main } from '../dist/bundle/cli.js';

process.exitCode = await main(process.argv.slice(2));
