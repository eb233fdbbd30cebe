import { FlowProducer, UnrecoverableError, Worker, type Job, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import { EwsError } from '../errors/index.js';
import { log } from '../observability/index.js';
import { featuresStage, ingestMerge, ingestSources, listsStage, runFolder, scoreStage, summaryStage, type RunSpec } from '../pipeline/index.js';
import { buildRoster, staffMembers } from '../sources/index.js';
import { connect } from './connection.js';
import { enqueueDeliveries } from './deliver.js';
import { listDeliveries } from '../alerts/index.js';
import { hasContacts, keepContacts } from '../followup/index.js';
import { openDb } from '../store/index.js';
import { scoringFlow, sourcesFlow } from './flows.js';
import type { FeaturesPayload, IngestPayload, MergePayload, RollPayload, ShardPayload, SourcePayload, SummaryPayload } from './payloads.js';
import { QUEUES, type QueueSettings } from './queues.js';

export interface WorkerOptions extends QueueSettings {
  /** Jobs one worker runs at once. Default 1: the stages are CPU-bound. */
  concurrency?: number;
  /** Which stages this process serves. Default all. */
  stages?: (keyof typeof QUEUES)[];
  /**
   * How long a job's lock lasts without renewal, in ms: a worker that dies mid-job has its job
   * picked up by another after about this long. Default 30,000 (BullMQ's).
   */
  lockMs?: number;
  url?: string;
}

/**
 * Runs a stage, reporting coarse progress (started, done); an error retrying cannot mend
 * (a broken roster, a missing model) is not retried.
 */
function guarded<D, T>(fn: (job: Job<D>) => Promise<T>): Processor<D> {
  return async (job: Job<D>) => {
    try {
      await job.updateProgress(1);
      const result = await fn(job);
      await job.updateProgress(100);
      return result;
    } catch (e) {
      log.warn({ queue: job.queueName, job: job.id, attempt: job.attemptsMade + 1, err: (e as Error).message }, 'stage failed');
      if (e instanceof EwsError && !e.retryable) throw new UnrecoverableError(e.message);
      throw e;
    }
  };
}

/** The workers: each wires one queue to its stage function and nothing more. */
export function startWorkers(o: WorkerOptions = {}): { workers: Worker[]; close: () => Promise<void> } {
  const prefix = o.prefix ?? 'ews';
  const settings: QueueSettings = { prefix, attempts: o.attempts, backoffMs: o.backoffMs };
  const connections: Redis[] = [];
  const conn = () => {
    const c = connect(o.url);
    connections.push(c);
    return c;
  };
  const flows = new FlowProducer({ connection: conn(), prefix });
  // biome-ignore lint/suspicious/noExplicitAny: each queue's processor takes its own payload (payloads.ts)
  const processors: Record<keyof typeof QUEUES, Processor<any> | null> = {
    ingest: guarded(async (job: Job<IngestPayload>) => {
      const spec = job.data.spec;
      const handoff = runFolder(spec);
      if (job.name === 'roll') {
        const data = job.data as RollPayload;
        const { report, table } = await ingestOne(spec, 'students');
        // Names and contacts go to the store here, the one job that holds them: the hand-off drops them.
        if (spec.database && table && hasContacts(table)) {
          const db = await openDb({ url: spec.database });
          try {
            await keepContacts(db, table);
          } finally {
            await db.close();
          }
        }
        await flows.add(sourcesFlow(spec, data.settings ?? settings));
        return { source: 'students', rows: report?.rows_read ?? 0, rejected: report?.rows_rejected ?? 0 };
      }
      if (job.name === 'source') {
        // The roll as its job kept it, not students.csv read again by every source job.
        const { source } = job.data as SourcePayload;
        const { report } = await ingestOne(spec, source, (await handoff.table('students')) ?? undefined);
        // Counts only: a job's result is stored in Redis, and the table stays in the hand-off.
        return { source, rows: report?.rows_read ?? 0, rejected: report?.rows_rejected ?? 0 };
      }
      const summary = await ingestMerge(spec, await handoff.table('students'), await handoff.checks());
      await handoff.putIngest(summary);
      await flows.add(scoringFlow(spec, summary.shards, (job.data as MergePayload).settings ?? settings, job.timestamp));
      return { shards: summary.shards.length, students: summary.students };
    }),
    features: guarded(async (job: Job<FeaturesPayload>) => {
      const { spec, shard, schools } = job.data;
      const handoff = runFolder(spec);
      const features = featuresStage(spec, await handoff.prepared(), schools);
      await handoff.putFeatures(shard, features);
      return { students: features.now.rows }; // the matrices stay in the hand-off, not in Redis
    }),
    score: guarded(async (job: Job<ShardPayload>) => {
      const { spec, shard } = job.data;
      const handoff = runFolder(spec);
      // Scoring needs the roll only; the big tables stay where ingest put them.
      const students = await handoff.table('students');
      if (!students) throw new Error('score: the checked students were not handed on');
      const { rows, lines, drift } = await scoreStage(spec, await handoff.features(shard), { students, roster: buildRoster(students) });
      await Promise.all([handoff.putScored(shard, rows), handoff.putLines(shard, lines), handoff.putDrift(shard, drift)]);
      return { scored: lines.scored, high: lines.tiers.high, medium: lines.tiers.medium }; // the scores stay in the hand-off, not in Redis
    }),
    lists: guarded(async (job: Job<ShardPayload>) => {
      const { spec, shard } = job.data;
      const handoff = runFolder(spec);
      const lists = await listsStage(spec, await handoff.scored(shard), staffMembers(await handoff.table('staff')));
      await handoff.putLists(shard, lists);
      return { lists: lists.length };
    }),
    run: guarded(async (job: Job<SummaryPayload>) => {
      const spec = job.data.spec;
      const summary = await summaryStage(spec, 'bullmq', { total: Date.now() - job.data.started }, runFolder(spec));
      if (spec.database && summary.record?.deliveries_planned) {
        const db = await openDb({ url: spec.database });
        try {
          await enqueueDeliveries(
            (await listDeliveries(db, 'pending')).map((d) => d.idempotency_key),
            { prefix, url: o.url },
          );
        } finally {
          await db.close();
        }
      }
      return { students_scored: summary.students_scored, tiers: summary.tiers };
    }),
    plan: null, // served by the scheduler (src/queue/schedule.ts)
  };
  const stages = o.stages ?? (Object.keys(QUEUES) as (keyof typeof QUEUES)[]);
  const workers = stages
    .filter((s) => processors[s])
    .map(
      (s) =>
        new Worker(QUEUES[s], processors[s]!, {
          connection: conn(),
          prefix,
          concurrency: o.concurrency ?? 1,
          ...(o.lockMs ? { lockDuration: o.lockMs, stalledInterval: o.lockMs } : {}),
        }),
    );
  for (const w of workers) w.on('failed', (job, err) => log.error({ queue: w.name, job: job?.id, err: err.message }, 'job failed'));
  return {
    workers,
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
      await flows.close();
      for (const c of connections) c.disconnect();
    },
  };
}

/** One source read and checked, and handed on for the merge and the shards. */
async function ingestOne(spec: RunSpec, source: string, roll?: Parameters<typeof ingestSources>[2]) {
  const [r] = await ingestSources(spec, [source], roll);
  const handoff = runFolder(spec);
  if (r.table) await handoff.putTable(source, r.table);
  if (r.check) await handoff.putCheck(source, r.check);
  return { report: r.check?.report ?? null, table: r.table };
}
