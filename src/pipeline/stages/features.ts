import type { Prepared } from '../../features/index.js';
import { shardFeatures, type ShardFeatures } from '../../scoring/index.js';
import type { RunSpec } from '../run-spec.js';

/** Features as of D and a week before for one shard's schools, from the prepared tables. */
export function featuresStage(spec: RunSpec, prepared: Prepared, schools: readonly string[]): ShardFeatures {
  const wanted = new Set(schools);
  const indices = prepared.district.roster.schools.flatMap((id, k) => (wanted.has(id) ? [k] : []));
  return shardFeatures(prepared, spec.asOf, indices);
}
