import { deliver, planDelivery, type Notice } from '../alerts/index.js';
import type { AlertRow, Level } from '../followup/index.js';
import { log } from '../observability/index.js';
import type { SchoolPlace } from '../report/index.js';
import { STAFF_ROLES, type Table } from '../sources/index.js';
import type { Db } from '../store/index.js';

const ROLE_OF: Record<Level, (typeof STAFF_ROLES)[number]> = { school: 'principal', township: 'township', county: 'bureau' };

/**
 * Who hears of a case gone past its deadline: the school's principal, the township's officers (their
 * `area` is the school's township in schools.csv), or the county bureau's (area empty, or the school's
 * county). Each gets one notice with a count and a link to their page, never a student.
 */
export async function notifyEscalations(
  db: Db,
  escalated: readonly (AlertRow & { escalated_to: Level })[],
  staff: Table | null,
  places: ReadonlyMap<string, SchoolPlace>,
  o: { asOf: string; link: string },
): Promise<{ delivered: number; pending: number; unreached: number }> {
  const counts = new Map<string, { level: Level; school: string; cases: number }>();
  let unreached = 0;
  if (!staff) return { delivered: 0, pending: 0, unreached: escalated.length };
  const ids = staff.strings('staff_id');
  const roles = staff.uint8('role');
  const schools = staff.codes('school_id');
  const areas = staff.strings('area');
  const hooks = staff.strings('webhook_url');
  const emails = staff.strings('email');
  for (const a of escalated) {
    const place = places.get(a.school_id);
    const want = STAFF_ROLES.indexOf(ROLE_OF[a.escalated_to]);
    let reached = false;
    for (let i = 0; i < ids.length; i++) {
      if (roles[i] !== want) continue;
      const school = schools.data[i] >= 0 ? schools.dict[schools.data[i]] : '';
      const mine =
        a.escalated_to === 'school'
          ? school === a.school_id
          : a.escalated_to === 'township'
            ? areas[i] !== '' && areas[i] === place?.township
            : areas[i] === '' || areas[i] === place?.county;
      if (!mine) continue;
      reached = true;
      const e = counts.get(ids[i]) ?? { level: a.escalated_to, school: a.school_id, cases: 0 };
      e.cases++;
      counts.set(ids[i], e);
    }
    if (!reached) unreached++;
  }
  if (unreached) log.warn({ unreached }, 'escalated cases with nobody at the next level to tell: add principal, township or bureau accounts to staff.csv');
  let delivered = 0;
  let pending = 0;
  for (const [recipient, e] of counts) {
    const i = ids.indexOf(recipient);
    const notice: Notice = {
      kind: 'escalation',
      school_id: e.school,
      recipient,
      as_of: o.asOf,
      high: 0,
      medium: 0,
      escalation: { cases: e.cases, level: e.level },
      link: `${o.link.replace(/\/$/, '')}${e.level === 'school' ? '/school' : '/area'}`,
    };
    const targets: ['webhook' | 'email', string][] = [];
    if (hooks[i]) targets.push(['webhook', hooks[i]]);
    if (emails[i] && process.env.EWS_SMTP_URL) targets.push(['email', emails[i]]);
    for (const [channel, target] of targets) {
      const d = await planDelivery(db, channel, recipient, target, notice);
      try {
        await deliver(db, d.idempotency_key);
        delivered++;
      } catch (err) {
        pending++;
        log.warn({ delivery: d.idempotency_key, err: (err as Error).message }, 'escalation notice not delivered yet; ews deliveries --send retries it');
      }
    }
  }
  return { delivered, pending, unreached };
}
