/** Runs every benchmark in bench/ in turn; `--only model` picks one; `--clean` removes kept outputs. */
import { rm } from 'node:fs/promises';
import { arg, RUNS } from './harness.js';

if (process.argv.includes('--clean')) {
  await rm(RUNS, { recursive: true, force: true });
  console.log(`removed ${RUNS} (wait a few minutes before timing list writing again: see freshOut)`);
  process.exit(0);
}

const only = arg('only', '');
const all = ['read', 'model', 'weekly-run', 'shipped', 'pull', 'scale-out', 'real'];
for (const name of all) {
  if (only && only !== name) continue;
  await import(`./${name}.ts`);
}
console.log(`run outputs are kept in ${RUNS}; \`npm run bench -- --clean\` removes them`);
