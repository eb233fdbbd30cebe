import type { WrittenList } from '../../alerts/index.js';
import type { Prepared } from '../../features/index.js';
import type { ScoredStudent, ShardFeatures } from '../../scoring/index.js';
import type { FileReport, Reject, Table } from '../../sources/index.js';
import type { ScoreLines } from '../stages/score-lines.js';
import type { DriftCounts } from '../stages/score.js';

/** One source's check: its report and the rows it refused. */
export interface SourceCheck {
  report: FileReport;
  rejects: Reject[];
}

/** What ingest planned: the reports gathered, and the schools grouped into shards. */
export interface IngestSummary {
  files: Record<string, FileReport>;
  rows_rejected: number;
  students: number;
  /** School ids grouped into shards of about `shardStudents` students. */
  shards: string[][];
}

/**
 * How one stage's outputs reach the next. The stages are functions from inputs to outputs and
 * know nothing of this; the runners (one process, or queue workers) put and take. A run in one
 * process hands on in memory (MemoryHandoff); workers hand on through a folder they all reach
 * (FolderHandoff, the only code that knows its layout).
 */
export interface Handoff {
  putTable(source: string, table: Table): Promise<void>;
  /** A source's checked table, or null where the folder had none. */
  table(source: string): Promise<Table | null>;
  /** Every checked table, indexed for feature building: once per process and run, not per shard. */
  prepared(): Promise<Prepared>;
  putCheck(source: string, check: SourceCheck): Promise<void>;
  checks(): Promise<SourceCheck[]>;
  putIngest(summary: IngestSummary): Promise<void>;
  ingest(): Promise<IngestSummary>;
  putFeatures(shard: number, features: ShardFeatures): Promise<void>;
  features(shard: number): Promise<ShardFeatures>;
  putScored(shard: number, rows: readonly ScoredStudent[]): Promise<void>;
  scored(shard: number): Promise<ScoredStudent[]>;
  putLines(shard: number, lines: ScoreLines): Promise<void>;
  lines(shard: number): Promise<ScoreLines>;
  putDrift(shard: number, drift: DriftCounts): Promise<void>;
  drift(shard: number): Promise<DriftCounts>;
  putLists(shard: number, lists: readonly WrittenList[]): Promise<void>;
  lists(shard: number): Promise<WrittenList[]>;
  /** Lets go of everything handed on (a good run's intermediate files). */
  clear(): Promise<void>;
}

/** A part a later stage asked for that no earlier stage handed on: a bug in the runner or a lost folder. */
export function missing(what: string, where: string): Error {
  return new Error(`hand-off: ${what} was not handed on (${where}); run the stage that makes it first`);
}
