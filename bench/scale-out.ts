/**
 * The weekly run through BullMQ with 1, 2 and 4 worker processes (`ews worker`), each run's outputs
 * checked byte for byte against a run in one process:
 * `npm run bench -- --only scale-out --sizes 100000 --workers 1,2,4`. Needs Redis (REDIS_URL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { enqueueRun, waitForRun } from '../src/queue/run-on-queue.js';
import { parseDay } from '../src/dates/index.js';
import { planRun, runInProcess } from '../src/pipeline/index.js';
import { arg, district, freshOut, table } from './harness.js';

const sizes = arg('sizes', '100000').split(',').map(Number);
const counts = arg('workers', '1,2,4').split(',').map(Number);
const ROOT = join(import.meta.dirname, '..');

async function digest(dir: string): Promise<string> {
  const h = createHash('sha256');
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter(
    (e) => e.isFile() && !e.parentPath.includes('.work') && e.name !== 'summary.json',
  );
  for (const f of files.map((e) => join(e.parentPath, e.name)).sort()) h.update(f.slice(dir.length)).update(await readFile(f));
  return h.digest('hex').slice(0, 16);
}

const rows: Record<string, string | number>[] = [];
for (const n of sizes) {
  const data = await district(n, 8);
  const base = { data, asOf: parseDay('2025-10-27'), database: null, shardStudents: Math.max(5000, Math.round(n / 10)) };
  const localOut = await freshOut(`scale-${n}-in-process`);
  const t0 = performance.now();
  await runInProcess(await planRun({ ...base, out: localOut }));
  const local = await digest(localOut);
  rows.push({ students: n, workers: 'in-process', seconds: ((performance.now() - t0) / 1000).toFixed(1), same_outputs: 'reference' });
  for (const w of counts) {
    const out = await freshOut(`scale-${n}-${w}-workers`);
    const spec = await planRun({ ...base, out });
    const workers: ChildProcess[] = Array.from({ length: w }, () =>
      spawn(process.execPath, [join(ROOT, 'bin', 'ews.js'), 'worker', '--stages', 'ingest,features,score,lists,run'], {
        stdio: 'ignore',
        env: { ...process.env, EWS_LOG_LEVEL: 'error' },
      }),
    );
    await new Promise((r) => setTimeout(r, 1500)); // let them connect
    const t = performance.now();
    await enqueueRun(spec);
    await waitForRun(spec, { timeoutMs: 3_600_000 });
    const seconds = (performance.now() - t) / 1000;
    for (const p of workers) p.kill('SIGTERM');
    rows.push({ students: n, workers: w, seconds: seconds.toFixed(1), same_outputs: (await digest(out)) === local ? 'yes' : 'NO' });
    process.stderr.write(`${JSON.stringify(rows.at(-1))}\n`);
  }
}
console.log('weekly run through BullMQ with N worker processes on this machine (2 cores)');
console.log(table(rows));
