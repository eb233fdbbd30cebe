import type { Prepared } from '../features/index.js';
import type { ScoredStudent } from '../scoring/index.js';
import type { RunSpec } from './run-spec.js';
import { featuresStage } from './stages/features.js';
import { listsStage } from './stages/lists.js';
import { scoreStage } from './stages/score.js';

export interface ShardDone {
  /** The shard's scored rows. */
  rows: ScoredStudent[];
  /** Milliseconds in each stage. */
  ms: { features: number; score: number; lists: number };
}

/**
 * One shard through features, score and lists in memory, as a run in one process does it; what
 * the summary reads (scores, drift, lists) is written to the work folder.
 */
export async function runShard(spec: RunSpec, shard: number, schools: readonly string[], prepared: Prepared): Promise<ShardDone> {
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = Math.round(now - t);
    t = now;
    return ms;
  };
  const { features } = await featuresStage(spec, shard, schools, prepared, false);
  const features_ms = lap();
  const { rows } = await scoreStage(spec, shard, { roll: prepared.district, writeRows: false, features });
  const score_ms = lap();
  await listsStage(spec, shard, rows, prepared.district.staff);
  return { rows, ms: { features: features_ms, score: score_ms, lists: lap() } };
}
