import { log } from '../../observability/index.js';
import type { Db } from '../../store/index.js';
import { deliver } from './deliver.js';
import { planDelivery } from './deliveries.js';
import type { Notice } from './message.js';

/**
 * A notice to one member of staff by each channel staff.csv gives them (webhook; e-mail where SMTP is
 * configured), planned and tried at once: one that fails stays pending for `ews deliveries --send`.
 */
export async function notifyStaff(
  db: Db,
  member: { staff_id: string; webhook_url: string; email: string },
  notice: Notice,
): Promise<{ delivered: number; pending: number }> {
  const targets: ['webhook' | 'email', string][] = [];
  if (member.webhook_url) targets.push(['webhook', member.webhook_url]);
  if (member.email && process.env.EWS_SMTP_URL) targets.push(['email', member.email]);
  let delivered = 0;
  let pending = 0;
  for (const [channel, target] of targets) {
    const d = await planDelivery(db, channel, member.staff_id, target, notice);
    try {
      await deliver(db, d.idempotency_key);
      delivered++;
    } catch (err) {
      pending++;
      log.warn({ delivery: d.idempotency_key, kind: notice.kind, err: (err as Error).message }, 'notice not delivered yet; ews deliveries --send retries it');
    }
  }
  return { delivered, pending };
}
