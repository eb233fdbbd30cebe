import type { Prepared } from '../../features/index.js';
import { shardFeatures, type ShardFeatures } from '../../scoring/index.js';
import type { RunSpec } from '../run-spec.js';

/**
 * Features as of D and a week before for one shard's schools, from the prepared tables; `before:
 * false` where last week's recorded scores stand in for the week before.
 */
export function featuresStage(spec: RunSpec, prepared: Prepared, schools: readonly string[], o: { before?: boolean } = {}): ShardFeatures {
  const wanted = new Set(schools);
  const indices = prepared.district.roster.schools.flatMap((id, k) => (wanted.has(id) ? [k] : []));
  return shardFeatures(prepared, spec.asOf, indices, o);
}
