/**
 * Features, training and scoring at district scale: `npm run bench -- --sizes 10000,100000`.
 * Prints a table of median wall times (ms) over --repeats runs, and writes it as JSON under
 * bench/results/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDay } from '../src/dates/index.js';
import { buildFeatures, prepare } from '../src/features/index.js';
import { initTf, scoreMatrix, trainModel } from '../src/model/index.js';
import { reasonsFor } from '../src/scoring/index.js';
import { loadDistrict } from '../src/sources/index.js';
import { arg, district, peakRssMb, table, timed } from './harness.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';

const sizes = arg('sizes', '10000,100000').split(',').map(Number);
const repeats = Number(arg('repeats', '3'));
const asOf = parseDay('2026-03-16');
const backend = await initTf();
const rows: Record<string, string | number>[] = [];

for (const n of sizes) {
  const dir = await district(n, 30);
  const read = await timed(1, () => loadDistrict(dir, { today: parseDay('2030-01-01') }));
  const { district: d } = read.result;
  const prep = await timed(repeats, () => prepare(d));
  const p = prep.result;
  const feats = await timed(repeats, () => buildFeatures(p, asOf));
  const models = await mkdtemp(join(tmpdir(), 'ews-bench-models-'));
  const train = await timed(1, () => trainModel(p, { asOf, horizonDays: 56, seed: 1, dir: models }));
  const m = feats.result;
  const score = await timed(repeats, () => scoreMatrix(train.result.model, m));
  const explain = await timed(1, () => {
    for (let r = 0; r < m.rows; r++) reasonsFor(train.result.model, m, r);
  });
  rows.push({
    students: n,
    rows_read: Object.values(read.result.report.files).reduce((a, f) => a + f.rows_read, 0),
    read_ms: Math.round(read.ms),
    prepare_ms: Math.round(prep.ms),
    features_ms: Math.round(feats.ms),
    train_ms: Math.round(train.ms),
    train_kind: train.result.meta.kind,
    score_ms: Math.round(score.ms),
    reasons_ms: Math.round(explain.ms),
    test_auc: train.result.meta.metrics.test.auc.toFixed(3),
    peak_rss_mb: peakRssMb(),
  });
  process.stderr.write(`${n} done\n`);
}

console.log(`backend ${backend}, ${repeats} repeats (median), 30 weeks of data, as of 2026-03-16`);
console.log(table(rows));
await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
await writeFile(join(import.meta.dirname, 'results', `model-${Date.now()}.json`), JSON.stringify({ backend, repeats, rows }, null, 2));
