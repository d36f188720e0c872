/**
 * A worker thread of `vial check --jobs N` (see `runInWorkers` in run.ts): checks one shard of the
 * forms with its own oracle process and posts progress and the shard's report back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type CheckOptions, runCheck } from './run.js';

const port = parentPort;
if (!port) throw new Error('check-worker.js runs as a worker thread of vial check');
const report = await runCheck({
  ...(workerData as CheckOptions),
  onProgress: (_done, _total, form) => port.postMessage({ kind: 'progress', form }),
});
port.postMessage({ kind: 'report', report });
