/**
 * What `ews train` learns on data it did not make, and on its own generator against the truth
 * the generator knows: `npm run bench -- --only real`.
 *
 * - OULAD (../shared/data/oulad, real withdrawals) mapped to the contract by bench/real/oulad.ts,
 *   trained at several as-of dates and horizons;
 * - two generator settings (`full`, and `sparse`: no canteen or screenings, 7% of days
 *   unrecorded), 20,000 students × 36 weeks, 8-week horizon, where the true-risk AUC on the same
 *   test examples is the ceiling: each student's hidden weekly hazard, 1 when already leaving.
 *
 * Each case runs the shipped command (`node bin/ews.js train`, `--ews DIR` for another checkout)
 * and reads its last JSON line and the registered model's test window. Options: `--cases
 * oulad,full,sparse`, `--oulad DIR`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseDay } from '../src/dates/index.js';
import { prepare } from '../src/features/index.js';
import { generateDistrict } from '../src/generate/index.js';
import { auc, buildExamples } from '../src/model/index.js';
import { loadDistrict } from '../src/sources/index.js';
import { arg, table } from './harness.js';
import { writeOuladDistrict } from './real/oulad.js';

const run = promisify(execFile);
const ews = resolve(arg('ews', join(import.meta.dirname, '..')), 'bin', 'ews.js');
const cases = arg('cases', 'oulad,full,sparse').split(',');
const cache = join(process.env.EWS_BENCH_DIR ?? join(tmpdir(), 'ews-bench'), 'real');
const rows: Record<string, string | number>[] = [];
const f3 = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(3) : 'n/a');

// biome-ignore lint/suspicious/noExplicitAny: JSON read back from the shipped command and the registry
type Json = Record<string, any>;

async function train(data: string, asOf: string, horizon: number): Promise<{ line: Json; meta: Json; seconds: number }> {
  const models = await mkdtemp(join(tmpdir(), 'ews-real-models-'));
  const t = performance.now();
  const { stdout } = await run('node', [ews, 'train', '--data', data, '--as-of', asOf, '--horizon-days', String(horizon)], {
    env: { ...process.env, EWS_MODELS_DIR: models, EWS_LOG_LEVEL: 'warn' },
    maxBuffer: 64 << 20,
  });
  const seconds = (performance.now() - t) / 1000;
  const line = JSON.parse(stdout.trim().split('\n').at(-1)!);
  const meta = JSON.parse(await readFile(join(models, line.model_id, 'meta.json'), 'utf8'));
  return { line, meta, seconds };
}

function row(name: string, asOf: string, horizon: number, r: Awaited<ReturnType<typeof train>>, truth?: number) {
  const b = r.line.baselines ?? {};
  rows.push({
    data: name,
    as_of: asOf,
    horizon: horizon,
    kind: r.line.kind,
    auc: f3(r.line.auc),
    pr_auc: f3(r.line.pr_auc),
    recall_10pct: f3(r.line.recall_at_10pct),
    plain_logistic: f3(b.plain_logistic_all?.auc),
    raw_counts: f3(b.raw_counts_logistic?.auc),
    school_rate: f3(b.school_rate?.auc),
    unexcused: f3(b.unexcused_rate?.auc),
    true_risk: f3(truth),
    ece: f3(r.line.ece),
    n_test: r.line.n_test,
    dropouts: r.line.positives_test,
    seconds: r.seconds.toFixed(0),
  });
  process.stderr.write(`${name} ${asOf} ${horizon}d: AUC ${f3(r.line.auc)} (${r.line.kind}) in ${r.seconds.toFixed(0)} s\n`);
}

/** AUC of the generator's own hidden risk on the model's test examples. */
async function trueRiskAuc(data: string, testDates: string[], horizon: number): Promise<number> {
  const { district } = await loadDistrict(data, { today: parseDay('2030-01-01') });
  const p = prepare(district);
  const dates = testDates.map(parseDay);
  const e = buildExamples(p, dates, horizon);
  const hazard = new Map<string, { hazard: number; leaving: number }>();
  for (const line of (await readFile(join(data, 'truth.csv'), 'utf8')).split('\n').slice(1)) {
    if (!line) continue;
    const [id, week, h, leaving] = line.split(',');
    hazard.set(`${id}|${parseDay(week)}`, { hazard: Number(h), leaving: Number(leaving) });
  }
  const ids = district.roster.ids;
  const score = Float64Array.from({ length: e.length }, (_, i) => {
    const d = e.asOf[i];
    // The week holding D: weeks start on the generator's Mondays.
    for (let back = 0; back < 7; back++) {
      const t = hazard.get(`${ids[e.student[i]]}|${d - back}`);
      if (t) return t.leaving ? 1 : 1 - (1 - t.hazard) ** (horizon / 7);
    }
    return 0;
  });
  return auc(score, e.y);
}

if (cases.includes('oulad')) {
  const src = arg('oulad', join(import.meta.dirname, '..', '..', 'shared', 'data', 'oulad'));
  const data = join(cache, 'oulad');
  if (!existsSync(join(data, 'outcomes.csv'))) await writeOuladDistrict(src, data);
  for (const [asOf, horizon] of [
    ['2014-06-01', 60],
    ['2014-12-01', 90],
    ['2014-12-01', 30],
  ] as const)
    row('OULAD', asOf, horizon, await train(data, asOf, horizon));
}
for (const profile of ['full', 'sparse'] as const) {
  if (!cases.includes(profile)) continue;
  const data = join(cache, `gen-${profile}-20000-36w`);
  if (!existsSync(join(data, 'truth.csv')))
    await generateDistrict({ out: data, students: 20_000, weeks: 36, seed: profile === 'full' ? 3 : 4, profile, truth: true });
  const asOf = '2026-05-10';
  const r = await train(data, asOf, 56);
  row(`generator ${profile}`, asOf, 56, r, await trueRiskAuc(data, r.meta.window.test, 56));
}

console.log(`ews train as shipped (${ews}); AUC on the temporal test block; baselines on the same examples`);
console.log(table(rows));
