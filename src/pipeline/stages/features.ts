import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { prepare, writeMatrices } from '../../features/index.js';
import { shardFeatures } from '../../scoring/index.js';
import { readDistrictCache } from '../../sources/index.js';
import { workDir, type RunSpec } from '../run-spec.js';

/** Features as of D and a week before for one shard's schools, from the checked tables. */
export async function featuresStage(spec: RunSpec, shard: number, schools: readonly string[]): Promise<{ students: number }> {
  const district = await readDistrictCache(join(workDir(spec), 'tables'));
  const p = prepare(district);
  const wanted = new Set(schools);
  const indices = district.roster.schools.flatMap((id, k) => (wanted.has(id) ? [k] : []));
  const f = shardFeatures(p, spec.asOf, indices);
  const dir = join(workDir(spec), 'features');
  await mkdir(dir, { recursive: true });
  await writeMatrices(join(dir, `${shard}.bin`), { now: f.now, before: f.before }, { weekly: f.weekly, exams: f.exams });
  return { students: f.now.rows };
}
