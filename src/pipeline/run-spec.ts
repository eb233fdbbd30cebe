import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { formatDay, type Day } from '../dates/index.js';
import type { Lang } from '../alerts/index.js';
import type { Encoding } from '../sources/index.js';
import type { TierOptions } from '../scoring/index.js';

/** Everything one weekly run needs; plain data, so a queue can carry it to any worker. */
export interface RunSpec {
  data: string;
  out: string;
  asOf: Day;
  /** Model id; resolved to the model in use before the run starts. */
  modelId: string;
  /** Registry folder the model is read from. */
  modelsDir: string;
  lang: Lang;
  tiers: TierOptions;
  /** Students per shard: the unit of work spread across workers. Default 50,000. */
  shardStudents: number;
  encoding?: Encoding;
  /** Rows dated after this are refused as impossible. */
  today: Day;
  /** With a kept history as `data`: read it as known on this day (rows pulled later, and later corrections, left out). */
  knownOn?: Day;
  /** With a kept history as `data`: its last pull when the run was planned; every job reads up to it, so a pull committed meanwhile waits for next time. */
  throughPull?: number;
  /**
   * The system of record the run's scores and alerts go to (postgres://… or a PGlite folder),
   * or null to keep none. An embedded PGlite folder must be written by one process at a time.
   */
  database: string | null;
  /** Where the lists' links point (EWS_PUBLIC_URL, else the output folder), and whether email goes out (EWS_SMTP_URL set). */
  delivery: { linkBase: string; email: boolean };
}

/** The run's identity: same data folder and as-of date, same key, so a repeat replaces. */
export function runKey(spec: Pick<RunSpec, 'data' | 'asOf'>): string {
  const h = createHash('sha256').update(resolve(spec.data)).digest('hex').slice(0, 10);
  return `${h}-${formatDay(spec.asOf)}`;
}

/** The files of the contract, in the order ingest reads them. */
export const SOURCES = ['students', 'staff', 'attendance', 'grades', 'family_events', 'subsidies', 'wellbeing', 'meal_card', 'outcomes'] as const;
