import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readMatrices } from '../../features/index.js';
import { binCounts, loadModel, type LoadedModel } from '../../model/index.js';
import { featureIndex, type FeatureMatrix } from '../../features/index.js';
import { scoreShard, type ScoredStudent, type ShardFeatures } from '../../scoring/index.js';
import { buildRoster, readTableKept, type District } from '../../sources/index.js';
import { workDir, type RunSpec } from '../run-spec.js';
import { scoreLines } from './score-lines.js';

/** What a run in one process hands the score stage instead of reading it from the work folder. */
export interface ScoreInputs {
  roll?: Pick<District, 'students' | 'roster'>;
  /** false: the rows are handed on in memory, not written for the next job. */
  writeRows?: boolean;
  /** The shard's features as the features stage made them. */
  features?: ShardFeatures;
}

/** Scores one shard with the run's model: risk, ranks, tiers, reasons, what changed. */
export async function scoreStage(
  spec: RunSpec,
  shard: number,
  { roll, writeRows = true, features }: ScoreInputs = {},
): Promise<{ scored: number; high: number; medium: number; rows: ScoredStudent[] }> {
  const work = workDir(spec);
  // Scoring needs the roll only (handed on by a run in one process); the big tables stay on disk.
  const [students, model, f] = await Promise.all([
    roll?.students ?? readTableKept(join(work, 'tables', 'students.tbl')),
    loadModel(spec.modelId, spec.modelsDir), // loaded once per process and kept (see loadModel)
    features ?? readShardFeatures(spec, shard),
  ]);
  const scored = scoreShard(f, model, { students, roster: roll?.roster ?? buildRoster(students) }, spec.tiers);
  await mkdir(join(work, 'drift'), { recursive: true });
  await writeFile(join(work, 'drift', `${shard}.json`), JSON.stringify(driftCounts(model, f.now, scored)));
  await mkdir(join(work, 'scores'), { recursive: true });
  if (writeRows) await writeFile(join(work, 'scores', `${shard}.ndjson`), scored.map((s) => JSON.stringify(s)).join('\n') + (scored.length ? '\n' : ''));
  const { text, ...counts } = scoreLines(scored);
  await writeFile(join(work, 'scores', `${shard}.csv`), text);
  await writeFile(join(work, 'scores', `${shard}.lines.json`), JSON.stringify(counts));
  return { scored: counts.scored, high: counts.tiers.high, medium: counts.tiers.medium, rows: scored };
}

async function readShardFeatures(spec: RunSpec, shard: number): Promise<ShardFeatures> {
  const { matrices, extra } = await readMatrices<{ weekly: (number | null)[][]; exams: number[][] }>(join(workDir(spec), 'features', `${shard}.bin`));
  return { asOf: spec.asOf, now: matrices.now, before: matrices.before, ...extra };
}

export async function readScored(spec: RunSpec, shard: number): Promise<ScoredStudent[]> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(join(workDir(spec), 'scores', `${shard}.ndjson`), 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ScoredStudent);
}

export interface DriftCounts {
  features: Record<string, number[]>;
  risk: number[];
  /** High tier this week and last: in both, in either. */
  high_both: number;
  high_either: number;
}

/** This week's students binned as the model's training rows were, and the high tier's turnover. */
function driftCounts(model: LoadedModel, m: FeatureMatrix, scored: readonly ScoredStudent[]): DriftCounts {
  const ref = model.meta.reference;
  const features: Record<string, number[]> = {};
  if (ref) {
    for (const [name, r] of Object.entries(ref.features)) {
      const values = new Float64Array(m.rows);
      const c = featureIndex(name);
      for (let row = 0; row < m.rows; row++) values[row] = m.values[row * m.width + c];
      features[name] = Array.from(binCounts(values, r.edges));
    }
  }
  const risk = ref
    ? Array.from(
        binCounts(
          scored.map((s) => s.risk),
          ref.risk.edges,
        ),
      )
    : [];
  const both = scored.filter((s) => s.tier === 'high' && s.prev_tier === 'high').length;
  const either = scored.filter((s) => s.tier === 'high' || s.prev_tier === 'high').length;
  return { features, risk, high_both: both, high_either: either };
}
