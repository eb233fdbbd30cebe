import type { Prepared } from '../features/index.js';
import type { ScoredStudent, WeekBefore } from '../scoring/index.js';
import { staffMembers } from '../sources/index.js';
import type { Handoff } from './handoff/index.js';
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
 * One shard through features, score and lists, as a run in one process does it: features and
 * rows go from stage to stage as values; what the summary reads (lines, drift, lists) is handed on.
 */
export async function runShard(
  spec: RunSpec,
  shard: number,
  schools: readonly string[],
  prepared: Prepared,
  handoff: Handoff,
  recorded?: WeekBefore,
): Promise<ShardDone> {
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = Math.round(now - t);
    t = now;
    return ms;
  };
  const features = featuresStage(spec, prepared, schools, { before: !recorded });
  const features_ms = lap();
  const { rows, lines, drift } = await scoreStage(spec, features, prepared.district, recorded);
  await handoff.putLines(shard, lines);
  await handoff.putDrift(shard, drift);
  const score_ms = lap();
  await handoff.putLists(shard, await listsStage(spec, rows, staffMembers(prepared.district.staff)));
  return { rows, ms: { features: features_ms, score: score_ms, lists: lap() } };
}
