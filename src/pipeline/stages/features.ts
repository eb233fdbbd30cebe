import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { prepare, writeMatrices, type Prepared } from '../../features/index.js';
import { shardFeatures, type ShardFeatures } from '../../scoring/index.js';
import { districtOf, readDistrictCache, type Table } from '../../sources/index.js';
import { workDir, type RunSpec } from '../run-spec.js';

/**
 * The checked tables, indexed for feature building: once per process and run, not once per shard.
 * A run in one process hands on the tables its ingest just read; a worker reads the stage's cache.
 */
export async function preparedTables(spec: RunSpec, tables?: ReadonlyMap<string, Table>): Promise<Prepared> {
  if (tables) return prepare(districtOf(tables));
  const dir = join(workDir(spec), 'tables');
  // A worker takes several shard jobs of the same run: it prepares the tables once for them all. The
  // key changes if ingest writes the tables again; the memory is let go after a quiet spell.
  const key = `${dir}\u0000${(await stat(join(dir, 'students.tbl'))).mtimeMs}`;
  if (kept?.key !== key) {
    const entry: Kept = { key, prepared: readDistrictCache(dir).then(prepare), timer: undefined };
    entry.prepared.catch(() => kept === entry && (kept = null));
    kept = entry;
  }
  const entry = kept;
  clearTimeout(entry.timer);
  entry.timer = setTimeout(() => kept === entry && (kept = null), KEEP_MS).unref();
  return entry.prepared;
}

interface Kept {
  key: string;
  prepared: Promise<Prepared>;
  timer: ReturnType<typeof setTimeout> | undefined;
}
let kept: Kept | null = null;
const KEEP_MS = 10 * 60_000;

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
