/**
 * Pulls as a district runs them: a week's export (that week's rows, the whole roll again; daily files
 * in date order, 17-character ids, CRLF) added to a kept history by the shipped `ews pull`, then the
 * weekly run from the history (`ews run --history`, default store: a fresh embedded PGlite).
 * `npm run bench -- --only pull --sizes 100000,1000000`.
 * Weeks 1–7 are pulled first (timed, not reported one by one); week 8's pull and the run are what a
 * Monday costs. Wall time and peak RSS of each command (/usr/bin/time); disk: the history against
 * the exports it came from and against the same district as one folder. One run each.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateDistrict } from '../src/generate/index.js';
import { arg, freshOut, table } from './harness.js';

const run = promisify(execFile);
const sizes = arg('sizes', '100000').split(',').map(Number);
const root = process.env.EWS_BENCH_DIR ?? '/tmp/ews-bench';
const ews = join(import.meta.dirname, '..', 'bin', 'ews.js');
const rows: Record<string, string | number>[] = [];

async function timedCommand(args: string[], env: NodeJS.ProcessEnv): Promise<{ s: number; gb: number; stdout: string }> {
  const { stdout, stderr } = await run('/usr/bin/time', ['-f', '%e %M', process.execPath, ews, ...args], { env, maxBuffer: 256 << 20 });
  const [wall, kb] = stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { s: wall, gb: kb / 1024 / 1024, stdout };
}

const du = async (path: string, exclude?: string) => {
  const { stdout } = await run('du', ['-sb', ...(exclude ? [`--exclude=${exclude}`] : []), path]);
  return Number(stdout.split('\t')[0]) / 1e9;
};

for (const n of sizes) {
  const data = join(root, `pull-${n}-8w`);
  if (!existsSync(join(data, 'weeks'))) {
    process.stderr.write(`generating ${n} students × 8 weeks as weekly exports into ${data} …\n`);
    await generateDistrict({ out: data, students: n, weeks: 8, seed: 1, quizzes: true, layout: { byDate: true, longIds: true, crlf: true, weekly: true } });
  }
  const weeks = readdirSync(join(data, 'weeks')).sort();
  const out = await freshOut(`pull-${n}`);
  const history = join(out, 'history');
  await rm(history, { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, EWS_LOG_LEVEL: 'warn', EWS_DB: join(out, '.db') };
  delete env.DATABASE_URL;
  let earlier = 0;
  let first = { s: 0, gb: 0 };
  let last = { s: 0, gb: 0, rows: 0 };
  for (const [k, w] of weeks.entries()) {
    const r = await timedCommand(['pull', '--data', join(data, 'weeks', w), '--history', history, '--seen-on', w], env);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    if (k === 0) first = r;
    if (k < weeks.length - 1) earlier += r.s;
    else last = { ...r, rows: report.totals.read };
    process.stderr.write(`pull ${w}: ${r.s.toFixed(1)} s, ${report.totals.new} new of ${report.totals.read}\n`);
  }
  const asOf = weeks.at(-1)!; // the Sunday the last export was taken: the run of the Monday after
  const monday = new Date(Date.parse(`${asOf}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const scored = await timedCommand(['run', '--history', history, '--as-of', monday, '--out', join(out, 'run'), '--via', 'in-process'], env);
  rows.push({
    students: n,
    first_pull_s: first.s.toFixed(1),
    pulls_2_to_7_s: (earlier - first.s).toFixed(1),
    week8_pull_s: last.s.toFixed(1),
    week8_rows: last.rows,
    run_from_history_s: scored.s.toFixed(1),
    monday_s: (last.s + scored.s).toFixed(1),
    peak_rss_gb: Math.max(last.gb, scored.gb).toFixed(2),
    history_gb: (await du(history)).toFixed(2),
    weekly_exports_gb: (await du(join(data, 'weeks'))).toFixed(2),
    one_folder_gb: (await du(data, 'weeks')).toFixed(2),
  });
  process.stderr.write(`${JSON.stringify(rows.at(-1))}\n`);
}
console.log('the shipped `ews pull` of weekly exports (by date, long ids, CRLF), then `ews run --history` with its default store; one run each');
console.log(table(rows));
