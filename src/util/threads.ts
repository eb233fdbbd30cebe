import { Worker } from 'node:worker_threads';

const ENTRY = new URL('./thread-entry.js', import.meta.url);

/** A worker thread running one of our TypeScript modules (`script` replaces the entry, for tests). */
export function startThread(module: URL, script?: URL): Worker {
  return new Worker(script ?? ENTRY, { workerData: { module: module.href } });
}
