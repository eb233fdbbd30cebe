import type { WrittenList } from '../../alerts/index.js';
import { prepare, type Prepared } from '../../features/index.js';
import type { ScoredStudent, ShardFeatures } from '../../scoring/index.js';
import { districtOf, type Table } from '../../sources/index.js';
import type { ScoreLines } from '../stages/score-lines.js';
import type { DriftCounts } from '../stages/score.js';
import { missing, type Handoff, type IngestSummary, type SourceCheck } from './handoff.js';

/** Hand-offs within one process: nothing is written, nothing is read back. */
export class MemoryHandoff implements Handoff {
  private readonly tables = new Map<string, Table | null>();
  private readonly checked = new Map<string, SourceCheck>();
  private summary: IngestSummary | null = null;
  private readonly shards = {
    features: new Map<number, ShardFeatures>(),
    scored: new Map<number, ScoredStudent[]>(),
    lines: new Map<number, ScoreLines>(),
    drift: new Map<number, DriftCounts>(),
    lists: new Map<number, WrittenList[]>(),
  };
  private preparing: Promise<Prepared> | null = null;

  async putTable(source: string, table: Table) {
    this.tables.set(source, table);
    this.preparing = null;
  }
  async table(source: string) {
    return this.tables.get(source) ?? null;
  }
  prepared() {
    const tables = new Map([...this.tables].filter((e): e is [string, Table] => e[1] !== null));
    this.preparing ??= Promise.resolve().then(() => prepare(districtOf(tables)));
    return this.preparing;
  }
  async putCheck(source: string, check: SourceCheck) {
    this.checked.set(source, check);
  }
  async checks() {
    return [...this.checked].sort(([a], [b]) => a.localeCompare(b)).map(([, c]) => c);
  }
  async putIngest(summary: IngestSummary) {
    this.summary = summary;
  }
  async ingest() {
    if (!this.summary) throw missing('the ingest summary', 'memory');
    return this.summary;
  }
  async putFeatures(shard: number, f: ShardFeatures) {
    this.shards.features.set(shard, f);
  }
  async features(shard: number) {
    return this.take(this.shards.features, shard, 'features');
  }
  async putScored(shard: number, rows: readonly ScoredStudent[]) {
    this.shards.scored.set(shard, [...rows]);
  }
  async scored(shard: number) {
    return this.take(this.shards.scored, shard, 'scores');
  }
  async putLines(shard: number, lines: ScoreLines) {
    this.shards.lines.set(shard, lines);
  }
  async lines(shard: number) {
    return this.take(this.shards.lines, shard, 'lines of scores.csv');
  }
  async putDrift(shard: number, drift: DriftCounts) {
    this.shards.drift.set(shard, drift);
  }
  async drift(shard: number) {
    return this.take(this.shards.drift, shard, 'drift counts');
  }
  async putLists(shard: number, lists: readonly WrittenList[]) {
    this.shards.lists.set(shard, [...lists]);
  }
  async lists(shard: number) {
    return this.take(this.shards.lists, shard, 'lists');
  }
  async clear() {
    this.tables.clear();
    this.checked.clear();
    this.summary = null;
    this.preparing = null;
    for (const m of Object.values(this.shards)) m.clear();
  }

  private take<T>(m: Map<number, T>, shard: number, what: string): T {
    const v = m.get(shard);
    if (v === undefined) throw missing(`shard ${shard}'s ${what}`, 'memory');
    return v;
  }
}
