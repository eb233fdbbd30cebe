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
  // Indexed once: 48,000 lists each searching 24,000 staff was a billion comparisons at 1M students.
  const byId = groupBy(staff, (s) => s.staff_id);
  const carers = groupBy(
    staff.filter((s) => s.role === 'psychologist' || s.role === 'counsellor'),
    (s) => s.school_id,
  );
  for (const l of lists) {
    const to = (l.kind === 'head_teacher' ? byId.get(l.recipient) : carers.get(l.school_id)) ?? [];
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

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = m.get(k);
    if (list) list.push(t);
    else m.set(k, [t]);
  }
  return m;
}
