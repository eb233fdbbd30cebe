/** Runs every benchmark in bench/ in turn; `--only model` picks one. */
import { arg } from './harness.js';

const only = arg('only', '');
const all = ['read', 'model', 'weekly-run', 'scale-out'];
for (const name of all) {
  if (only && only !== name) continue;
  await import(`./${name}.ts`);
}
