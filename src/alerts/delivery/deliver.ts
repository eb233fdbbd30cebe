import { log } from '../../observability/index.js';
import type { Db } from '../../store/index.js';
import { getDelivery, markAttempt } from './deliveries.js';
import { noticeText, webhookBody, webhookFormat } from './message.js';
import { DeliveryError, postWebhook, sendEmail } from './send.js';

export interface DeliverOptions {
  /** smtp://host:port; e-mail is not sent without it. Default EWS_SMTP_URL. */
  smtpUrl?: string;
  /** The From address. Default EWS_MAIL_FROM or ews@localhost. */
  from?: string;
}

/**
 * Makes one planned delivery. A delivery already made is not made again (a retried job after a
 * crash), so from the receiver's side each notice arrives once; a failure is recorded and thrown
 * for the queue to retry.
 */
export async function deliver(db: Db, key: string, o: DeliverOptions = {}): Promise<'delivered' | 'already'> {
  const d = await getDelivery(db, key);
  if (!d) throw new DeliveryError(`no planned delivery ${key}`, true);
  if (d.status === 'delivered') return 'already';
  try {
    if (d.channel === 'webhook') {
      await postWebhook(d.target, webhookBody(d.payload, webhookFormat(d.target)), key);
    } else {
      const smtp = o.smtpUrl ?? process.env.EWS_SMTP_URL;
      if (!smtp) throw new DeliveryError('no SMTP server configured (EWS_SMTP_URL)', true);
      const t = noticeText(d.payload);
      await sendEmail(smtp, {
        from: o.from ?? process.env.EWS_MAIL_FROM ?? 'ews@localhost',
        to: d.target,
        subject: t.title,
        text: t.text,
        idempotencyKey: key,
      });
    }
  } catch (e) {
    await markAttempt(db, key, (e as Error).message);
    log.warn({ delivery: key, channel: d.channel, attempt: d.attempts + 1, err: (e as Error).message }, 'delivery failed');
    throw e;
  }
  await markAttempt(db, key, null);
  return 'delivered';
}
