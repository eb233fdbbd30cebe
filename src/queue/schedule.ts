import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { EwsError, OptionError } from '../errors/index.js';
import { log } from '../observability/index.js';
import { acuteCheck, needsAcuteCheck, planRun, reportPullFailure, retrainChallenger, type PlanOptions, type PullJob } from '../pipeline/index.js';
import { parseDay } from '../dates/index.js';
import { pullFrom, type PullReport } from '../sources/index.js';
import { readSqlConfig } from '../sources/connectors/sql-config.js';
import { openDb } from '../store/index.js';
import { connect } from './connection.js';
import { QUEUES, jobOptions } from './queues.js';
import { enqueueRun } from './run-on-queue.js';

export interface ScheduleOptions {
  data: string;
  out: string;
  /** Cron pattern. Default every Monday at 06:00. */
  cron?: string;
  /** Time zone of the pattern. Default Asia/Shanghai. */
  tz?: string;
  prefix?: string;
  url?: string;
  /** Cron of the same-day check (streaks, severe events, escalations). Default 07:00 and 15:00. */
  acuteCron?: string;
  /** Cron of the retrain that trains a challenger and reports the gate. Default 03:00 on the 1st. */
  retrainCron?: string;
}

import { DEFAULT_ACUTE_CRON, DEFAULT_CRON, DEFAULT_PULL_CRON, DEFAULT_RETRAIN_CRON, DEFAULT_TZ } from './schedule-defaults.js';

export { DEFAULT_ACUTE_CRON, DEFAULT_CRON, DEFAULT_PULL_CRON, DEFAULT_RETRAIN_CRON, DEFAULT_TZ };

const schedulerId = (data: string) => `weekly-${createHash('sha256').update(resolve(data)).digest('hex').slice(0, 10)}`;

/** Installs (or updates) BullMQ's own job scheduler for one data folder's weekly run. */
export async function installSchedule(o: ScheduleOptions): Promise<{ id: string; next: number | undefined }> {
  const connection = connect(o.url);
  const queue = new Queue(QUEUES.plan, { connection, prefix: o.prefix ?? 'ews' });
  try {
    const id = schedulerId(o.data);
    const job = await queue.upsertJobScheduler(
      id,
      { pattern: o.cron ?? DEFAULT_CRON, tz: o.tz ?? DEFAULT_TZ },
      { name: 'plan', data: { data: resolve(o.data), out: resolve(o.out) }, opts: jobOptions() },
    );
    await queue.upsertJobScheduler(
      id.replace('weekly-', 'acute-'),
      { pattern: o.acuteCron ?? DEFAULT_ACUTE_CRON, tz: o.tz ?? DEFAULT_TZ },
      { name: 'acute', data: { data: resolve(o.data) }, opts: jobOptions() },
    );
    await queue.upsertJobScheduler(
      id.replace('weekly-', 'retrain-'),
      { pattern: o.retrainCron ?? DEFAULT_RETRAIN_CRON, tz: o.tz ?? DEFAULT_TZ },
      { name: 'retrain', data: { data: resolve(o.data) }, opts: { ...jobOptions(), attempts: 1 } },
    );
    const next = job?.timestamp !== undefined ? job.timestamp + (job.opts.delay ?? 0) : undefined;
    return { id, next };
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

export async function listSchedules(o: { prefix?: string; url?: string } = {}) {
  const connection = connect(o.url);
  const queue = new Queue(QUEUES.plan, { connection, prefix: o.prefix ?? 'ews' });
  try {
    return (await queue.getJobSchedulers()).map((s) => ({ id: s.key, pattern: s.pattern, tz: s.tz, next: s.next, data: s.template?.data }));
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

export async function removeSchedule(data: string, o: { prefix?: string; url?: string } = {}): Promise<boolean> {
  const connection = connect(o.url);
  const queue = new Queue(QUEUES.plan, { connection, prefix: o.prefix ?? 'ews' });
  try {
    await queue.removeJobScheduler(schedulerId(data).replace('weekly-', 'acute-'));
    await queue.removeJobScheduler(schedulerId(data).replace('weekly-', 'retrain-'));
    return await queue.removeJobScheduler(schedulerId(data));
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

export interface PullScheduleOptions {
  /** The kept history the pulls add to (the weekly run's --data). */
  history: string;
  /** A folder or workbook a school system drops its exports in… */
  data?: string;
  /** …or a query config: each source pulled on its own cron (its `cron`, else the config's, else `cron`). */
  sql?: string;
  cron?: string;
  tz?: string;
  prefix?: string;
  url?: string;
  /** Tries and the first wait between them. Default 5 tries, 60 s doubling: a server down for a quarter of an hour is waited out. */
  attempts?: number;
  backoffMs?: number;
}

const pullId = (history: string, from: string, source?: string) =>
  `pull-${createHash('sha256')
    .update(`${resolve(history)}\u0000${resolve(from)}`)
    .digest('hex')
    .slice(0, 10)}${source ? `-${source}` : ''}`;

/** Installs the pulls into a history, ahead of the weekly run: one per folder, or one per source of a query config. */
export async function installPulls(o: PullScheduleOptions): Promise<{ id: string; pattern: string }[]> {
  if (Boolean(o.data) === Boolean(o.sql))
    throw new OptionError('--pull-from', 'give a folder or workbook (--pull-from) or a query config (--pull-sql), one of them');
  const connection = connect(o.url);
  const queue = new Queue(QUEUES.plan, { connection, prefix: o.prefix ?? 'ews' });
  const history = resolve(o.history);
  try {
    const plans: { id: string; pattern: string; from: PullJob['from'] }[] = [];
    if (o.data) plans.push({ id: pullId(history, o.data), pattern: o.cron ?? DEFAULT_PULL_CRON, from: { data: resolve(o.data) } });
    else {
      const config = readSqlConfig(o.sql!);
      for (const [source, q] of Object.entries(config.sources)) {
        if (q)
          plans.push({
            id: pullId(history, o.sql!, source),
            pattern: q.cron ?? config.cron ?? o.cron ?? DEFAULT_PULL_CRON,
            from: { sql: resolve(o.sql!), only: [source] },
          });
      }
    }
    for (const p of plans) {
      await queue.upsertJobScheduler(
        p.id,
        { pattern: p.pattern, tz: o.tz ?? DEFAULT_TZ },
        {
          name: 'pull',
          data: { from: p.from, history } satisfies PullJob,
          opts: jobOptions({ attempts: o.attempts ?? 5, backoffMs: o.backoffMs ?? 60_000 }),
        },
      );
    }
    return plans.map(({ id, pattern }) => ({ id, pattern }));
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** Removes the pulls into `history` from `from` (a folder, workbook or query config). */
export async function removePulls(history: string, from: string, o: { prefix?: string; url?: string } = {}): Promise<number> {
  const connection = connect(o.url);
  const queue = new Queue(QUEUES.plan, { connection, prefix: o.prefix ?? 'ews' });
  try {
    const base = pullId(history, from);
    let removed = 0;
    for (const s of await queue.getJobSchedulers())
      if (s.key === base || s.key.startsWith(`${base}-`)) removed += (await queue.removeJobScheduler(s.key)) ? 1 : 0;
    return removed;
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** The retrain and acute jobs carry the data folder; the weekly plan carries its PlanOptions. */
interface DataPayload {
  data: string;
  /** The acute check after a pull: as of the pull's day. */
  asOf?: string;
}

/**
 * A pull's try: the history stays as it was when it fails, and each failure is reported (the last
 * one as needing a person). A pull that brought attendance or family events queues the same-day
 * check on the history as of its day: a job of its own, so that a store down delays the alerts,
 * not the pull, and a check that fails is tried again on its own.
 */
async function pullJob(job: Job<PullJob>, plan: Queue) {
  let pull: PullReport;
  try {
    pull = await pullFrom(job.data.from, { history: job.data.history });
  } catch (e) {
    const retryable = !(e instanceof EwsError) || e.retryable;
    const attempt = job.attemptsMade + 1;
    reportPullFailure(job.data, e, attempt, !retryable || attempt >= (job.opts.attempts ?? 1));
    if (!retryable) throw new UnrecoverableError((e as Error).message);
    throw e;
  }
  if (!needsAcuteCheck(pull)) return { pull, acute_job: null };
  const id = `acute-after-${createHash('sha256').update(resolve(job.data.history)).digest('hex').slice(0, 10)}-${pull.pull}`;
  await plan.add('acute', { data: job.data.history, asOf: pull.seen_on } satisfies DataPayload, { ...jobOptions(), jobId: id });
  return { pull, acute_job: id };
}

/**
 * The worker behind the schedule: on each firing, settles the run (today's date in China,
 * the model in use) and starts its flow. Output goes to OUT/<as-of date>/.
 */
export function startPlanWorker(o: { prefix?: string; url?: string } = {}) {
  const connection = connect(o.url);
  // A pull queues the same-day check here, on its own queue (the worker's connection blocks).
  const queueConnection = connect(o.url);
  const plan = new Queue(QUEUES.plan, { connection: queueConnection, prefix: o.prefix ?? 'ews' });
  const worker = new Worker<PlanOptions | DataPayload | PullJob>(
    QUEUES.plan,
    async (job) => {
      if (job.name === 'pull') return pullJob(job as Job<PullJob>, plan);
      if (job.name === 'retrain') return retrainChallenger({ data: (job.data as DataPayload).data });
      if (job.name === 'acute') {
        const db = await openDb();
        try {
          const d = job.data as DataPayload;
          return await acuteCheck(db, { data: d.data, asOf: d.asOf ? parseDay(d.asOf) : undefined });
        } finally {
          await db.close();
        }
      }
      const data = job.data as PlanOptions;
      const spec = await planRun({ ...data, asOf: data.asOf });
      spec.out = resolve(data.out, new Date(spec.asOf * 86_400_000).toISOString().slice(0, 10));
      const key = await enqueueRun(spec, { prefix: o.prefix, url: o.url });
      log.info({ run: key }, 'scheduled weekly run started');
      return { run: key, out: spec.out };
    },
    { connection, prefix: o.prefix ?? 'ews' },
  );
  return {
    worker,
    close: async () => {
      await worker.close();
      await plan.close();
      connection.disconnect();
      queueConnection.disconnect();
    },
  };
}
