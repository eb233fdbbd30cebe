import type { Db } from '../../store/index.js';
import type { WrittenList } from '../write-lists.js';
import { planDelivery, type Delivery } from './deliveries.js';
import type { Notice } from './message.js';

export interface StaffContact {
  staff_id: string;
  school_id: string;
  role: string;
  webhook_url: string;
  email: string;
}

/**
 * A delivery for every list whose recipient has a channel: a head teacher's list to that head
 * teacher, a school's triage list to its psychologists. E-mail is planned only where SMTP is set.
 */
export async function planListDeliveries(
  db: Db,
  lists: readonly WrittenList[],
  staff: readonly StaffContact[],
  o: { asOf: string; linkBase: string; email: boolean },
): Promise<Delivery[]> {
  const planned: Delivery[] = [];
  for (const l of lists) {
    const to =
      l.kind === 'head_teacher'
        ? staff.filter((s) => s.staff_id === l.recipient)
        : staff.filter((s) => s.school_id === l.school_id && (s.role === 'psychologist' || s.role === 'counsellor'));
    for (const s of to) {
      const notice: Notice = {
        kind: 'weekly_list',
        school_id: l.school_id,
        recipient: s.staff_id,
        as_of: o.asOf,
        high: l.high,
        medium: l.medium,
        link: `${o.linkBase.replace(/\/$/, '')}/${l.html.slice(l.html.lastIndexOf('/lists/') + 1)}`,
      };
      if (s.webhook_url) planned.push(await planDelivery(db, 'webhook', s.staff_id, s.webhook_url, notice));
      if (s.email && o.email) planned.push(await planDelivery(db, 'email', s.staff_id, s.email, notice));
    }
  }
  return planned;
}
