import type { RunSpec, SOURCES } from '../pipeline/index.js';
import type { QueueSettings } from './queues.js';

/**
 * What each job of a weekly run carries, by job name. Flows build them and workers read them
 * through these types, so a renamed field does not compile instead of failing in a worker.
 */
export interface RollPayload {
  spec: RunSpec;
  source: 'students';
  settings: QueueSettings;
}

export interface SourcePayload {
  spec: RunSpec;
  source: (typeof SOURCES)[number];
}

export interface MergePayload {
  spec: RunSpec;
  settings: QueueSettings;
}

/** The ingest queue serves three job names: `roll`, `source` and `merge`. */
export type IngestPayload = RollPayload | SourcePayload | MergePayload;

export interface ShardPayload {
  spec: RunSpec;
  shard: number;
}

export interface FeaturesPayload extends ShardPayload {
  /** The schools of the shard. */
  schools: string[];
}

export interface SummaryPayload {
  spec: RunSpec;
  /** When the run was enqueued (ms since the epoch), for its total time. */
  started: number;
}
