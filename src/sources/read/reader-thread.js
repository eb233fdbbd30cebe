// Entry of a reader thread. A worker thread does not inherit the loader that runs our TypeScript
// (tsx from bin/ews.js, vite under vitest), so it registers tsx itself.
import { register } from 'tsx/esm/api';

register();
await import('./reader-thread.ts');
