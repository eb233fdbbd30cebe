import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readMatrices } from '../../features/index.js';
import { loadModel } from '../../model/index.js';
import { scoreShard, type ScoredStudent } from '../../scoring/index.js';
import { readDistrictCache } from '../../sources/index.js';
import { workDir, type RunSpec } from '../run-spec.js';

/** Scores one shard with the run's model: risk, ranks, tiers, reasons, what changed. */
export async function scoreStage(spec: RunSpec, shard: number): Promise<{ scored: number; high: number; medium: number }> {
  const work = workDir(spec);
  const [district, model, { matrices, extra }] = await Promise.all([
    readDistrictCache(join(work, 'tables')),
    loadModel(spec.modelId, spec.modelsDir),
    readMatrices<{ weekly: (number | null)[][]; exams: number[][] }>(join(work, 'features', `${shard}.bin`)),
  ]);
  const scored = scoreShard({ asOf: spec.asOf, now: matrices.now, before: matrices.before, ...extra }, model, district, spec.tiers);
  await mkdir(join(work, 'scores'), { recursive: true });
  await writeFile(join(work, 'scores', `${shard}.ndjson`), scored.map((s) => JSON.stringify(s)).join('\n') + (scored.length ? '\n' : ''));
  return { scored: scored.length, high: scored.filter((s) => s.tier === 'high').length, medium: scored.filter((s) => s.tier === 'medium').length };
}

export async function readScored(spec: RunSpec, shard: number): Promise<ScoredStudent[]> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(join(workDir(spec), 'scores', `${shard}.ndjson`), 'utf8');
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as ScoredStudent);
}
