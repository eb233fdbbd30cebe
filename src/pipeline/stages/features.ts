import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { prepare, writeMatrices, type Prepared } from '../../features/index.js';
import { shardFeatures, type ShardFeatures } from '../../scoring/index.js';
import { districtOf, readDistrictCache, type Table } from '../../sources/index.js';
import { workDir, type RunSpec } from '../run-spec.js';
import { filesStamp, Kept } from '../../util/kept.js';

/**
 * The checked tables, indexed for feature building: once per process and run, not once per shard.
 * A run in one process hands on the tables its ingest just read; a worker reads the stage's cache.
 */
export async function preparedTables(spec: RunSpec, tables?: ReadonlyMap<string, Table>): Promise<Prepared> {
  if (tables) return prepare(districtOf(tables));
  const dir = join(workDir(spec), 'tables');
  // A worker takes several shard jobs of the same run: it prepares the tables once for them all,
  // again if ingest writes them again.
  return kept.get(dir, await filesStamp([join(dir, 'students.tbl')]), () => readDistrictCache(dir).then(prepare));
}

const kept = new Kept<Prepared>({ max: 1, idleMs: 10 * 60_000 });

/**
 * Features as of D and a week before for one shard's schools, from the checked tables. A run in
 * one process passes the tables it already prepared; a worker prepares them itself.
 */
export async function featuresStage(
  spec: RunSpec,
  shard: number,
  schools: readonly string[],
  prepared?: Prepared,
  /** false: the features are handed on in memory (a run in one process), not written for the next job. */
  write = true,
): Promise<{ students: number; features: ShardFeatures }> {
  const p = prepared ?? (await preparedTables(spec));
  const district = p.district;
  const wanted = new Set(schools);
  const indices = district.roster.schools.flatMap((id, k) => (wanted.has(id) ? [k] : []));
  const f = shardFeatures(p, spec.asOf, indices);
  if (write) {
    const dir = join(workDir(spec), 'features');
    await mkdir(dir, { recursive: true });
    await writeMatrices(join(dir, `${shard}.bin`), { now: f.now, before: f.before }, { weekly: f.weekly, exams: f.exams });
  }
  return { students: f.now.rows, features: f };
}
