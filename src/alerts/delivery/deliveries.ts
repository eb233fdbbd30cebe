import { createHash } from 'node:crypto';
import type { Db } from '../../store/index.js';
import type { Notice } from './message.js';

export interface Delivery {
  id: number;
  idempotency_key: string;
  channel: 'webhook' | 'email';
  recipient: string;
  target: string;
  payload: Notice;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  last_error: string | null;
}

/** The same notice to the same place has the same key, however often it is planned. */
export function deliveryKey(channel: string, target: string, n: Notice): string {
  return (
    createHash('sha256')
      // An escalation notice is about the cases that went up this time: a second check in a day is a second notice.
      .update(JSON.stringify([channel, target, n.kind, n.school_id, n.recipient, n.as_of, ...(n.escalation ? [n.escalation.batch ?? ''] : [])]))
      .digest('hex')
      .slice(0, 32)
  );
}

/** Records a delivery to make; returns it, or the existing one for the same key. */
export async function planDelivery(db: Db, channel: Delivery['channel'], recipient: string, target: string, n: Notice): Promise<Delivery> {
  const key = deliveryKey(channel, target, n);
  await db.query(
    `insert into deliveries (idempotency_key, channel, recipient, target, payload) values ($1, $2, $3, $4, $5) on conflict (idempotency_key) do nothing`,
    [key, channel, recipient, target, JSON.stringify(n)],
  );
  return (await getDelivery(db, key))!;
}

export async function getDelivery(db: Db, key: string): Promise<Delivery | null> {
  const { rows } = await db.query<Delivery>('select * from deliveries where idempotency_key = $1', [key]);
  return rows[0] ? { ...rows[0], id: Number(rows[0].id) } : null;
}

export async function markAttempt(db: Db, key: string, error: string | null): Promise<void> {
  await db.query(
    `update deliveries set attempts = attempts + 1, last_error = $2,
       status = case when $2::text is null then 'delivered' else status end,
       delivered_at = case when $2::text is null then now() else delivered_at end
     where idempotency_key = $1`,
    [key, error],
  );
}

/** Gives up on a delivery: it stays visible to operators as dead, to be retried by hand. */
export async function markDead(db: Db, key: string): Promise<void> {
  await db.query(`update deliveries set status = 'dead' where idempotency_key = $1 and status = 'pending'`, [key]);
}

export async function listDeliveries(db: Db, status?: Delivery['status']): Promise<Delivery[]> {
  const { rows } = await db.query<Delivery>(`select * from deliveries ${status ? 'where status = $1' : ''} order by created_at, id`, status ? [status] : []);
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
