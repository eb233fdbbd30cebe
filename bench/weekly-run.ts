/**
 * The whole weekly run, stage by stage, at district to province scale:
 * `npm run bench -- --only weekly-run --sizes 10000,100000,1000000`. Districts of 8 weeks of daily
 * attendance are generated once and cached. Prints wall time and peak memory (RSS) after each
 * stage, median over --repeats, and writes JSON under bench/results/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDay } from '../src/dates/index.js';
import { initTf } from '../src/model/index.js';
import { featuresStage, preparedTables, ingestMerge, ingestSources, listsStage, planRun, scoreStage, SOURCES, summaryStage } from '../src/pipeline/index.js';
import { arg, district, freshOut, peakRssMb, scanLoopMs, table } from './harness.js';
import type { Table } from '../src/sources/index.js';

const sizes = arg('sizes', '10000,100000').split(',').map(Number);
const repeats = Number(arg('repeats', '1'));
const asOf = parseDay('2025-10-27'); // the Monday after the 8 generated weeks
await initTf();
const rows: Record<string, string | number>[] = [];

for (const n of sizes) {
  const data = await district(n, 8);
  const runs: Record<string, number>[] = [];
  for (let k = 0; k < repeats; k++) {
    const out = await freshOut(`weekly-${n}`);
    const spec = await planRun({ data, out, asOf, database: null });
    const t: Record<string, number> = {};
    const stage = async (name: string, fn: () => Promise<unknown>) => {
      const start = performance.now();
      await fn();
      t[name] = (t[name] ?? 0) + performance.now() - start;
      t[`${name}_rss`] = peakRssMb();
    };
    const all = performance.now();
    const tables = new Map<string, Table>();
    await stage('read', async () => {
      for (const r of await ingestSources(spec, SOURCES, undefined, false)) if (r.table) tables.set(r.source, r.table);
    });
    let shards: string[][] = [];
    await stage('read', async () => (shards = (await ingestMerge(spec)).shards));
    let prepared: Awaited<ReturnType<typeof preparedTables>> | undefined;
    await stage('features', async () => (prepared = await preparedTables(spec, tables)));
    for (let s = 0; s < shards.length; s++) {
      let features: Awaited<ReturnType<typeof featuresStage>>['features'] | undefined;
      await stage('features', async () => (features = (await featuresStage(spec, s, shards[s], prepared, false)).features));
      let rows: Awaited<ReturnType<typeof scoreStage>>['rows'] | undefined;
      await stage('score', async () => (rows = (await scoreStage(spec, s, prepared?.district, false, features)).rows));
      await stage('lists', () => listsStage(spec, s, rows));
    }
    await stage('summary', () => summaryStage(spec, 'in-process', {}));
    t.total = performance.now() - all;
    runs.push(t);
  }
  const median = (key: string) => runs.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  rows.push({
    students: n,
    read_s: (median('read') / 1000).toFixed(1),
    features_s: (median('features') / 1000).toFixed(1),
    score_s: (median('score') / 1000).toFixed(1),
    lists_s: (median('lists') / 1000).toFixed(1),
    summary_s: (median('summary') / 1000).toFixed(1),
    total_s: (median('total') / 1000).toFixed(1),
    peak_rss_mb: Math.max(...runs.map((r) => r.summary_rss)),
  });
  process.stderr.write(`${n}: ${JSON.stringify(rows.at(-1))}\n`);
}
const scanMs = scanLoopMs();
console.log(`weekly run, 8 weeks of data, as of 2025-10-27, median of ${repeats}; this machine's scan loop: ${scanMs} ms (see harness)`);
console.log(table(rows));
await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
await writeFile(join(import.meta.dirname, 'results', `weekly-run-${Date.now()}.json`), JSON.stringify({ repeats, scan_loop_ms: scanMs, rows }, null, 2));
