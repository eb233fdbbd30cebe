import { FlowProducer, Queue, QueueEvents } from 'bullmq';
import { EwsError } from '../errors/index.js';
import { runKey, SOURCES, type RunSpec, type RunSummary } from '../pipeline/index.js';
import { connect } from './connection.js';
import { ingestFlow } from './flows.js';
import { jobId, QUEUES, type QueueSettings } from './queues.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Starts a weekly run as a BullMQ flow and, if asked, waits for its summary. A run for the same
 * data folder and as-of date replaces the earlier one's jobs; one still active is refused.
 */
export async function enqueueRun(spec: RunSpec, s: QueueSettings & { url?: string } = {}): Promise<string> {
  const prefix = s.prefix ?? 'ews';
  const connection = connect(s.url);
  const key = runKey(spec);
  try {
    await clearEarlierRun(key, prefix, connection);
    const flows = new FlowProducer({ connection, prefix });
    await flows.add(ingestFlow(spec, { ...s, prefix }));
    await flows.close();
    return key;
  } finally {
    connection.disconnect();
  }
}

async function clearEarlierRun(key: string, prefix: string, connection: ReturnType<typeof connect>): Promise<void> {
  const ids: [keyof typeof QUEUES, string][] = [
    ['run', jobId.summary(key)],
    ['ingest', jobId.ingest(key)],
  ];
  for (let shard = 0; shard < 10_000; shard++) {
    const q = new Queue(QUEUES.lists, { connection, prefix });
    const exists = await q.getJob(jobId.lists(key, shard));
    await q.close();
    if (!exists) break;
    ids.push(['lists', jobId.lists(key, shard)], ['score', jobId.score(key, shard)], ['features', jobId.features(key, shard)]);
  }
  for (const source of SOURCES) {
    ids.push(['ingest', jobId.source(key, source)]);
  }
  for (const [queue, id] of ids) {
    const q = new Queue(QUEUES[queue], { connection, prefix });
    const job = await q.getJob(id);
    if (job) {
      const state = await job.getState();
      if (state === 'active') {
        await q.close();
        throw new EwsError('EWS_BAD_OPTION', `a run for this data folder and date is already in progress (${id})`);
      }
      await job.remove({ removeChildren: true }).catch(() => undefined);
    }
    await q.close();
  }
}

/** Waits until the run's summary job finishes, then returns summary.json. */
export async function waitForRun(spec: RunSpec, s: { prefix?: string; url?: string; timeoutMs?: number } = {}): Promise<RunSummary> {
  const prefix = s.prefix ?? 'ews';
  const key = runKey(spec);
  const connection = connect(s.url);
  const eventsConnection = connect(s.url);
  const events = new QueueEvents(QUEUES.run, { connection: eventsConnection, prefix });
  const ingest = new Queue(QUEUES.ingest, { connection, prefix });
  const run = new Queue(QUEUES.run, { connection, prefix });
  const deadline = Date.now() + (s.timeoutMs ?? 30 * 60_000);
  try {
    await events.waitUntilReady();
    for (;;) {
      const summary = await run.getJob(jobId.summary(key));
      if (summary) {
        try {
          await summary.waitUntilFinished(events, Math.max(1, deadline - Date.now()));
        } catch (e) {
          throw new EwsError('EWS_UNREADABLE_FILE', `the weekly run failed: ${(await rootCause(key, prefix, connection)) ?? (e as Error).message}`);
        }
        break;
      }
      for (const id of [jobId.source(key, 'students'), jobId.ingest(key)]) {
        // State first, then the job: a job read while still active has no failedReason yet.
        if ((await ingest.getJobState(id)) !== 'failed') continue;
        const failed = await ingest.getJob(id);
        throw new EwsError('EWS_UNREADABLE_FILE', `the run failed while reading its data: ${failed?.failedReason ?? 'no reason recorded'}`);
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for the weekly run');
      await new Promise((r) => setTimeout(r, 100));
    }
    return JSON.parse(await readFile(join(spec.out, 'summary.json'), 'utf8')) as RunSummary;
  } finally {
    await events.close();
    await ingest.close();
    await run.close();
    connection.disconnect();
    eventsConnection.disconnect(); // BullMQ leaves connections it was given open
  }
}

/** The first stage that failed for itself (not because a child did), as "stage: reason". */
async function rootCause(key: string, prefix: string, connection: ReturnType<typeof connect>): Promise<string | null> {
  for (const stage of ['ingest', 'features', 'score', 'lists'] as const) {
    const q = new Queue(QUEUES[stage], { connection, prefix });
    try {
      for (const job of await q.getJobs(['failed'])) {
        if (job.id?.startsWith(`${key}.`) && job.failedReason && !job.failedReason.startsWith('child ')) return `${stage}: ${job.failedReason}`;
      }
    } finally {
      await q.close();
    }
  }
  return null;
}
