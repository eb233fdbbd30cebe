import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { deliver, DeliveryError, markDead, type DeliverOptions } from '../alerts/index.js';
import { log } from '../observability/index.js';
import type { Db } from '../store/index.js';
import { connect } from './connection.js';

export const DELIVER_QUEUE = 'ews-deliver';

export interface DeliverySettings {
  prefix?: string;
  url?: string;
  /** Tries before a delivery is dead. Default 8 (with a 5 s first backoff: about 20 minutes). */
  attempts?: number;
  backoffMs?: number;
}

/** Queues planned deliveries; the job id is the idempotency key, so a delivery is queued once. */
export async function enqueueDeliveries(keys: readonly string[], s: DeliverySettings = {}): Promise<void> {
  const connection = connect(s.url);
  const queue = new Queue(DELIVER_QUEUE, { connection, prefix: s.prefix ?? 'ews' });
  try {
    await queue.addBulk(
      keys.map((key) => ({
        name: 'deliver',
        data: { key },
        opts: {
          jobId: key,
          attempts: s.attempts ?? 8,
          backoff: { type: 'exponential', delay: s.backoffMs ?? 5000 },
          removeOnComplete: { age: 7 * 86_400 },
          removeOnFail: { age: 30 * 86_400 },
        },
      })),
    );
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** A push to send: its idempotency key in the delivery log. */
export interface DeliveryPayload {
  key: string;
}

/** The delivery worker: sends, records, and marks a delivery dead once its tries are spent. */
export function startDeliveryWorker(db: Db, s: DeliverySettings & DeliverOptions & { concurrency?: number } = {}) {
  const connection = connect(s.url);
  const worker = new Worker<DeliveryPayload>(
    DELIVER_QUEUE,
    async (job) => {
      try {
        return await deliver(db, job.data.key, s);
      } catch (e) {
        if (e instanceof DeliveryError && e.permanent) throw new UnrecoverableError(e.message);
        throw e;
      }
    },
    { connection, prefix: s.prefix ?? 'ews', concurrency: s.concurrency ?? 4 },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    const spent = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (spent) {
      void markDead(db, job.data.key).then(() => log.error({ delivery: job.data.key }, 'delivery dead: no more tries'));
    }
  });
  return {
    worker,
    close: async () => {
      await worker.close();
      connection.disconnect();
    },
  };
}
