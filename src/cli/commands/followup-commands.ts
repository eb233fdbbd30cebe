import { deliver, listDeliveries } from '../../alerts/index.js';
import type { Day } from '../../dates/index.js';
import { acuteCheck } from '../../pipeline/index.js';
import { log } from '../../observability/index.js';
import { openDb } from '../../store/index.js';

/** The same-day check (see acuteCheck), once, against the configured store. */
export async function acuteCommand(o: { data: string; asOf: Day; streakDays: number; database?: string }) {
  const db = await openDb({ url: o.database });
  try {
    return await acuteCheck(db, o);
  } finally {
    await db.close();
  }
}

/** Lists deliveries (dead ones are the operators' to-do list); `send` tries pending and dead ones now. */
export async function deliveriesCommand(o: { status?: 'pending' | 'delivered' | 'dead'; send?: boolean; database?: string }) {
  const db = await openDb({ url: o.database });
  try {
    if (o.send) {
      for (const d of [...(await listDeliveries(db, 'pending')), ...(await listDeliveries(db, 'dead'))]) {
        try {
          await deliver(db, d.idempotency_key);
        } catch (e) {
          log.warn({ delivery: d.idempotency_key, err: (e as Error).message }, 'still not delivered');
        }
      }
    }
    return (await listDeliveries(db, o.status)).map((d) => ({
      key: d.idempotency_key,
      channel: d.channel,
      recipient: d.recipient,
      status: d.status,
      attempts: d.attempts,
      last_error: d.last_error,
    }));
  } finally {
    await db.close();
  }
}
