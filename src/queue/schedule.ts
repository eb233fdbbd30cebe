import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { log } from '../observability/index.js';
import { acuteCheck, planRun, retrainChallenger, type PlanOptions } from '../pipeline/index.js';
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

export const DEFAULT_RETRAIN_CRON = '0 3 1 * *';

export const DEFAULT_ACUTE_CRON = '0 7,15 * * *';
export const DEFAULT_CRON = '0 6 * * 1';
export const DEFAULT_TZ = 'Asia/Shanghai';

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

/** The retrain and acute jobs carry the data folder; the weekly plan carries its PlanOptions. */
interface DataPayload {
  data: string;
}

/**
 * The worker behind the schedule: on each firing, settles the run (today's date in China,
 * the model in use) and starts its flow. Output goes to OUT/<as-of date>/.
 */
export function startPlanWorker(o: { prefix?: string; url?: string } = {}) {
  const connection = connect(o.url);
  const worker = new Worker<PlanOptions | DataPayload>(
    QUEUES.plan,
    async (job) => {
      if (job.name === 'retrain') return retrainChallenger({ data: (job.data as DataPayload).data });
      if (job.name === 'acute') {
        const db = await openDb();
        try {
          return await acuteCheck(db, { data: (job.data as DataPayload).data });
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
      connection.disconnect();
    },
  };
}
