import { loadModel } from '../../model/index.js';
import { scoreShard, type ScoredStudent, type ShardFeatures, type WeekBefore } from '../../scoring/index.js';
import type { District } from '../../sources/index.js';
import type { RunSpec } from '../run-spec.js';
import { driftCounts, type DriftCounts } from './drift.js';
import { scoreLines, type ScoreLines } from './score-lines.js';

export type { DriftCounts } from './drift.js';

export interface ShardScores {
  rows: ScoredStudent[];
  /** The shard's lines of scores.csv, so the summary only joins them. */
  lines: ScoreLines;
  drift: DriftCounts;
}

/** Scores one shard with the run's model: risk, ranks, tiers, reasons, what changed (since `recorded`, last week's list, where given). */
export async function scoreStage(
  spec: RunSpec,
  features: ShardFeatures,
  roll: Pick<District, 'students' | 'roster'>,
  recorded?: WeekBefore,
): Promise<ShardScores> {
  const model = await loadModel(spec.modelId, spec.modelsDir); // loaded once per process and kept (see loadModel)
  const rows = scoreShard(features, model, roll, spec.tiers, recorded);
  return { rows, lines: scoreLines(rows), drift: driftCounts(model, features.now, rows) };
}
