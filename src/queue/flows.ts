import type { FlowJob } from 'bullmq';
import { runKey, SOURCES, type RunSpec } from '../pipeline/index.js';
import type { FeaturesPayload, MergePayload, RollPayload, ShardPayload, SourcePayload, SummaryPayload } from './payloads.js';
import { jobId, jobOptions, QUEUES, type QueueSettings } from './queues.js';

/**
 * Phase one starts with the roll: students.csv is read and checked once, and its job then starts
 * the rest (sourcesFlow), whose jobs check their rows against the roll it kept.
 */
export function ingestFlow(spec: RunSpec, s: QueueSettings): FlowJob {
  return {
    name: 'roll',
    queueName: QUEUES.ingest,
    data: { spec, source: 'students', settings: s } satisfies RollPayload,
    opts: { ...jobOptions(s), jobId: jobId.source(runKey(spec), 'students') },
  };
}

/** Every other source read and checked in parallel, then merged (which starts phase two). */
export function sourcesFlow(spec: RunSpec, s: QueueSettings): FlowJob {
  const key = runKey(spec);
  const opts = { ...jobOptions(s), failParentOnFailure: true };
  return {
    name: 'merge',
    queueName: QUEUES.ingest,
    data: { spec, settings: s } satisfies MergePayload,
    opts: { ...jobOptions(s), jobId: jobId.ingest(key) },
    children: SOURCES.filter((source) => source !== 'students').map((source) => ({
      name: 'source',
      queueName: QUEUES.ingest,
      data: { spec, source } satisfies SourcePayload,
      opts: { ...opts, jobId: jobId.source(key, source) },
    })),
  };
}

/** Phase two: per shard of schools, features → score → lists; then the summary joins them. */
export function scoringFlow(spec: RunSpec, shards: string[][], s: QueueSettings, started: number): FlowJob {
  const key = runKey(spec);
  const opts = { ...jobOptions(s), failParentOnFailure: true };
  return {
    name: 'summary',
    queueName: QUEUES.run,
    data: { spec, started } satisfies SummaryPayload,
    opts: { ...jobOptions(s), jobId: jobId.summary(key) },
    children: shards.map((schools, shard) => ({
      name: 'lists',
      queueName: QUEUES.lists,
      data: { spec, shard } satisfies ShardPayload,
      opts: { ...opts, jobId: jobId.lists(key, shard) },
      children: [
        {
          name: 'score',
          queueName: QUEUES.score,
          data: { spec, shard } satisfies ShardPayload,
          opts: { ...opts, jobId: jobId.score(key, shard) },
          children: [
            {
              name: 'features',
              queueName: QUEUES.features,
              data: { spec, shard, schools } satisfies FeaturesPayload,
              opts: { ...opts, jobId: jobId.features(key, shard) },
            },
          ],
        },
      ],
    })),
  };
}
