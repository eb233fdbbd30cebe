import type { DefaultJobOptions } from 'bullmq';

/** One queue per stage, so each can have its own workers and its own pace. */
export const QUEUES = {
  ingest: 'ews-ingest',
  features: 'ews-features',
  score: 'ews-score',
  lists: 'ews-lists',
  run: 'ews-run',
  plan: 'ews-plan',
} as const;

export interface QueueSettings {
  /** Redis key prefix: separates deployments (and tests) on one Redis. Default `ews`. */
  prefix?: string;
  /** Tries per job before it fails. Default 3. */
  attempts?: number;
  /** First retry delay in ms, doubling each time. Default 2000. */
  backoffMs?: number;
}

export function jobOptions(s: QueueSettings = {}): DefaultJobOptions {
  return {
    attempts: s.attempts ?? 3,
    backoff: { type: 'exponential', delay: s.backoffMs ?? 2000 },
    removeOnComplete: { age: 7 * 86_400 },
    removeOnFail: { age: 30 * 86_400 },
  };
}

/** Job ids from (data folder, as-of date) and the stage, so a repeated run replaces, never duplicates. */
export const jobId = {
  source: (key: string, source: string) => `${key}.ingest.${source}`,
  ingest: (key: string) => `${key}.ingest`,
  features: (key: string, shard: number) => `${key}.features.${shard}`,
  score: (key: string, shard: number) => `${key}.score.${shard}`,
  lists: (key: string, shard: number) => `${key}.lists.${shard}`,
  summary: (key: string) => `${key}.summary`,
};
