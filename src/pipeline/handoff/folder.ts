import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { WrittenList } from '../../alerts/index.js';
import { prepare, readMatrices, writeMatrices, type FeatureMatrix, type Prepared } from '../../features/index.js';
import type { ScoredStudent, ShardFeatures } from '../../scoring/index.js';
import { readDistrictCache, readTableKept, writeTable, type Table } from '../../sources/index.js';
import { filesStamp, Kept } from '../../util/kept.js';
import type { RunSpec } from '../run-spec.js';
import type { ScoreLines } from '../stages/score-lines.js';
import type { DriftCounts } from '../stages/score.js';
import { missing, type Handoff, type IngestSummary, type SourceCheck } from './handoff.js';

// A worker takes several shard jobs of the same run: it prepares the tables once for them all,
// again if ingest writes them again.
const keptPrepared = new Kept<Prepared>({ max: 1, idleMs: 10 * 60_000 });

/**
 * Hand-offs through a folder every worker reaches (beside the run's outputs, `OUT/.work`). The
 * only code that knows the folder's layout:
 *
 *   tables/<source>.tbl          checked table (binary, sources/cache.ts)
 *   tables/<source>.check.json   the source's report and rejects
 *   ingest.json                  the ingest summary and the shards
 *   features/<k>.bin             shard k's feature matrices (features/matrix-file.ts)
 *   scores/<k>.ndjson            shard k's scored rows
 *   scores/<k>.csv, <k>.lines.json   shard k's lines of scores.csv and their counts
 *   drift/<k>.json               shard k's drift counts
 *   lists/<k>.json               shard k's written lists
 */
export class FolderHandoff implements Handoff {
  constructor(readonly dir: string) {}

  async putTable(source: string, table: Table) {
    await writeTable(await this.path('tables', `${source}.tbl`), table);
  }
  async table(source: string) {
    const file = join(this.dir, 'tables', `${source}.tbl`);
    return existsSync(file) ? readTableKept(file) : null;
  }
  async prepared() {
    const dir = join(this.dir, 'tables');
    if (!existsSync(join(dir, 'students.tbl'))) throw missing('the checked students', dir);
    return keptPrepared.get(dir, await filesStamp([join(dir, 'students.tbl')]), () => readDistrictCache(dir).then(prepare));
  }
  async putCheck(source: string, check: SourceCheck) {
    await writeFile(await this.path('tables', `${source}.check.json`), JSON.stringify(check));
  }
  async checks() {
    const dir = join(this.dir, 'tables');
    if (!existsSync(dir)) return [];
    const names = (await readdir(dir)).filter((f) => f.endsWith('.check.json')).sort();
    return Promise.all(names.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as SourceCheck));
  }
  async putIngest(summary: IngestSummary) {
    await writeFile(await this.path('ingest.json'), JSON.stringify(summary, null, 2));
  }
  async ingest() {
    return this.json<IngestSummary>('the ingest summary', 'ingest.json');
  }
  async putFeatures(shard: number, f: ShardFeatures) {
    const matrices: Record<string, FeatureMatrix> = f.before ? { now: f.now, before: f.before } : { now: f.now };
    await writeMatrices(await this.path('features', `${shard}.bin`), matrices, { asOf: f.asOf, weekly: f.weekly, exams: f.exams, records: f.records });
  }
  async features(shard: number): Promise<ShardFeatures> {
    const file = join(this.dir, 'features', `${shard}.bin`);
    if (!existsSync(file)) throw missing(`shard ${shard}'s features`, file);
    const { matrices, extra } = await readMatrices<Omit<ShardFeatures, 'now' | 'before'>>(file);
    return { ...extra, now: matrices.now, before: matrices.before ?? null };
  }
  async putScored(shard: number, rows: readonly ScoredStudent[]) {
    await writeFile(await this.path('scores', `${shard}.ndjson`), rows.map((s) => JSON.stringify(s)).join('\n') + (rows.length ? '\n' : ''));
  }
  async scored(shard: number) {
    const text = await this.text(`shard ${shard}'s scores`, 'scores', `${shard}.ndjson`);
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as ScoredStudent);
  }
  async putLines(shard: number, { text, ...counts }: ScoreLines) {
    await writeFile(await this.path('scores', `${shard}.csv`), text);
    await writeFile(await this.path('scores', `${shard}.lines.json`), JSON.stringify(counts));
  }
  async lines(shard: number): Promise<ScoreLines> {
    const counts = await this.json<Omit<ScoreLines, 'text'>>(`shard ${shard}'s lines of scores.csv`, 'scores', `${shard}.lines.json`);
    return { ...counts, text: await this.text(`shard ${shard}'s lines of scores.csv`, 'scores', `${shard}.csv`) };
  }
  async putDrift(shard: number, drift: DriftCounts) {
    await writeFile(await this.path('drift', `${shard}.json`), JSON.stringify(drift));
  }
  async drift(shard: number) {
    return this.json<DriftCounts>(`shard ${shard}'s drift counts`, 'drift', `${shard}.json`);
  }
  async putLists(shard: number, lists: readonly WrittenList[]) {
    await writeFile(await this.path('lists', `${shard}.json`), JSON.stringify(lists));
  }
  async lists(shard: number) {
    return this.json<WrittenList[]>(`shard ${shard}'s lists`, 'lists', `${shard}.json`);
  }
  async clear() {
    await rm(this.dir, { recursive: true, force: true });
  }

  private async path(...parts: string[]): Promise<string> {
    const file = join(this.dir, ...parts);
    await mkdir(dirname(file), { recursive: true });
    return file;
  }
  private async text(what: string, ...parts: string[]): Promise<string> {
    const file = join(this.dir, ...parts);
    if (!existsSync(file)) throw missing(what, file);
    return readFile(file, 'utf8');
  }
  private async json<T>(what: string, ...parts: string[]): Promise<T> {
    return JSON.parse(await this.text(what, ...parts)) as T;
  }
}

/** A run's shared hand-off: beside its outputs (`OUT/.work`), so every worker that can write them can read it. */
export function runFolder(spec: Pick<RunSpec, 'out'>): FolderHandoff {
  return new FolderHandoff(join(spec.out, '.work'));
}
