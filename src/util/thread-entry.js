// Entry of our worker threads. A worker thread does not inherit the loader that runs our
// TypeScript (tsx from bin/ews.js, vite under vitest), so it registers tsx itself, then runs
// the module it was started for.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
