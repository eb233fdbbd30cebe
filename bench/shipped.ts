/**
 * The weekly run as a user runs it: the shipped command (`node bin/ews.js run --via in-process`),
 * with its system of record, on districts laid out as schools export them.
 * `npm run bench -- --only shipped --sizes 100000 --layouts sorted,by-date --stores pglite,postgres,none`.
 *
 * - layouts: `sorted` (the generator's own, every file by student), `by-date` (daily files in date
 *   order, 17-character ids, CRLF: `ews generate --by-date --long-ids --crlf`) and `per-school` (the same,
 *   each source a folder of one file per school: `--per-school`);
 * - stores: `pglite` (the default: a fresh embedded folder per run), `postgres` (DATABASE_URL, default
 *   postgres://127.0.0.1:5432/test: the first record of this data folder's week, later repeats replace it),
 *   `none` (`ews run --no-record`: the output files only).
 * Wall time and peak RSS of the whole command (/usr/bin/time), stage times from its summary.json;
 * median over --repeats. Runs one after another: two at once on 2 cores measure nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateDistrict } from '../src/generate/index.js';
import { arg, freshOut, table } from './harness.js';

const run = promisify(execFile);
const sizes = arg('sizes', '100000').split(',').map(Number);
const layouts = arg('layouts', 'sorted,by-date').split(',');
const stores = arg('stores', 'pglite').split(',');
const repeats = Number(arg('repeats', '1'));
const postgres = arg('postgres', process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const root = process.env.EWS_BENCH_DIR ?? '/tmp/ews-bench';
const ews = join(import.meta.dirname, '..', 'bin', 'ews.js');
const rows: Record<string, string | number>[] = [];

async function districtOf(n: number, layout: string): Promise<string> {
  const dir = join(root, `shipped-${n}-8w-${layout}`);
  if (!existsSync(join(dir, 'outcomes.csv')) && !existsSync(join(dir, 'students'))) {
    // students/ is the last folder a per-school district gets
    process.stderr.write(`generating ${n} students × 8 weeks, ${layout}, into ${dir} …\n`);
    const exported = layout === 'by-date' || layout === 'per-school';
    const perSchool = layout === 'per-school';
    await generateDistrict({
      out: dir,
      students: n,
      weeks: 8,
      seed: 1,
      quizzes: true,
      layout: exported ? { byDate: true, longIds: true, crlf: true, perSchool } : undefined,
    });
  }
  return dir;
}

for (const n of sizes) {
  for (const layout of layouts) {
    const data = await districtOf(n, layout);
    for (const store of stores) {
      const runs: Record<string, number>[] = [];
      for (let k = 0; k < repeats; k++) {
        const out = await freshOut(`shipped-${n}-${layout}-${store}`);
        const env: NodeJS.ProcessEnv = { ...process.env, EWS_LOG_LEVEL: 'warn' };
        delete env.DATABASE_URL;
        if (store === 'pglite') env.EWS_DB = join(out, '.db');
        if (store === 'postgres') env.DATABASE_URL = postgres;
        const args = ['-f', '%e %M', process.execPath, ews, 'run', '--data', data, '--out', out, '--as-of', '2025-10-27', '--via', 'in-process'];
        if (store === 'none') args.push('--no-record');
        const { stderr } = await run('/usr/bin/time', args, { env, maxBuffer: 256 << 20 });
        const [wall, kb] = stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
        const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
        runs.push({ ...summary.timings_ms, wall: wall * 1000, rss: kb / 1024 });
      }
      const median = (key: string) => runs.map((r) => r[key] ?? 0).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
      const s = (key: string) => (median(key) / 1000).toFixed(1);
      rows.push({
        students: n,
        layout,
        store,
        whole_command_s: s('wall'),
        read_s: s('ingest'),
        features_s: s('features'),
        score_s: s('score'),
        lists_s: s('lists'),
        store_open_s: s('store_open_wait'),
        // The waits for each shard's COPY, and what follows the last: its COPY, the index, the swap, the commit.
        record_s: ((median('record') + median('record_tail')) / 1000).toFixed(1),
        // summary.json is written before its own stage time is known: the process's start and end are what is left.
        outside_run_s: ((median('wall') - median('total')) / 1000).toFixed(1),
        peak_rss_gb: (Math.max(...runs.map((r) => r.rss)) / 1024).toFixed(2),
      });
      process.stderr.write(`${JSON.stringify(rows.at(-1))}\n`);
    }
  }
}
console.log(
  `the shipped \`ews run --via in-process\`, 8 weeks, as of 2025-10-27, median of ${repeats}; store_open_s is the wait for the store to open after the files are read, record_s the wait for its COPY and what follows the last shard`,
);
console.log(table(rows));
