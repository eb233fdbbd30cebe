/**
 * The whole weekly run, stage by stage, at district to province scale:
 * `npm run bench -- --only weekly-run --sizes 10000,100000,1000000`. Districts of 8 weeks of daily
 * attendance are generated once and cached. Prints each stage's wall time and the whole run's,
 * and peak memory (RSS), median over --repeats, and writes JSON under bench/results/.
 * `--threads 0` reads every file on the main thread; `--database URL` records each run there.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDay } from '../src/dates/index.js';
import { initTf } from '../src/model/index.js';
import { planRun, runInProcess } from '../src/pipeline/index.js';
import { arg, district, freshOut, peakRssMb, scanLoopMs, table } from './harness.js';

const sizes = arg('sizes', '10000,100000').split(',').map(Number);
const repeats = Number(arg('repeats', '1'));
const asOf = parseDay('2025-10-27'); // the Monday after the 8 generated weeks
// Reader threads besides the main one (default: one per spare core); `--threads 0` reads on one.
const threads = process.argv.includes('--threads') ? Number(arg('threads', '0')) : undefined;
// `--database postgres://…` (or a PGlite folder) records every run there, as a school's runs are.
const database = arg('database', '') || null;
await initTf();
const rows: Record<string, string | number>[] = [];

for (const n of sizes) {
  const data = await district(n, 8);
  const runs: Record<string, number>[] = [];
  for (let k = 0; k < repeats; k++) {
    const out = await freshOut(`weekly-${n}`);
    const spec = await planRun({ data, out, asOf, database });
    const all = performance.now();
    const { timings_ms: timings } = await runInProcess(spec, { threads });
    const t = { ...timings, wall: performance.now() - all, rss: peakRssMb() };
    runs.push(t);
  }
  const median = (key: string) => runs.map((r) => r[key] ?? 0).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  rows.push({
    students: n,
    read_s: (median('ingest') / 1000).toFixed(1),
    features_s: (median('features') / 1000).toFixed(1),
    score_s: (median('score') / 1000).toFixed(1),
    lists_s: (median('lists') / 1000).toFixed(1),
    record_wait_s: (median('record') / 1000).toFixed(1),
    summary_s: (median('summary') / 1000).toFixed(1),
    total_s: (median('wall') / 1000).toFixed(1),
    peak_rss_mb: Math.max(...runs.map((r) => r.rss)),
  });
  process.stderr.write(`${n}: ${JSON.stringify(rows.at(-1))}\n`);
}
const scanMs = scanLoopMs();
console.log(
  `weekly run, 8 weeks of data, as of 2025-10-27, median of ${repeats}, reader threads: ${threads ?? 'one per spare core for folders over 48 MB'}; this machine's scan loop: ${scanMs} ms (see harness)`,
);
console.log(table(rows));
await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
await writeFile(join(import.meta.dirname, 'results', `weekly-run-${Date.now()}.json`), JSON.stringify({ repeats, scan_loop_ms: scanMs, rows }, null, 2));
