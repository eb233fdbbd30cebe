import { createHash } from 'node:crypto';
import { notifyStaff } from '../alerts/index.js';
import type { AlertRow, Level } from '../followup/index.js';
import { log } from '../observability/index.js';
import type { SchoolPlace } from '../report/index.js';
import { type STAFF_ROLES, staffMembers, type Table } from '../sources/index.js';
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
): Promise<{ delivered: number; pending: number; unreached: number; told: number[] }> {
  const counts = new Map<string, { level: Level; school: string; cases: number; ids: number[] }>();
  let unreached = 0;
  const told: number[] = [];
  const members = staffMembers(staff);
  for (const a of escalated) {
    const place = places.get(a.school_id);
    const mine = members.filter(
      (m) =>
        m.role === ROLE_OF[a.escalated_to] &&
        (a.escalated_to === 'school'
          ? m.school_id === a.school_id
          : a.escalated_to === 'township'
            ? m.area !== '' && m.area === place?.township
            : m.area === '' || m.area === place?.county),
    );
    if (mine.length === 0) unreached++;
    else told.push(a.id);
    for (const m of mine) {
      const e = counts.get(m.staff_id) ?? { level: a.escalated_to, school: a.school_id, cases: 0, ids: [] };
      e.cases++;
      e.ids.push(a.id);
      counts.set(m.staff_id, e);
    }
  }
  if (unreached) log.warn({ unreached }, 'escalated cases with nobody at the next level to tell: add principal, township or bureau accounts to staff.csv');
  let delivered = 0;
  let pending = 0;
  const byId = new Map(members.map((m) => [m.staff_id, m]));
  for (const [recipient, e] of counts) {
    const sent = await notifyStaff(db, byId.get(recipient)!, {
      kind: 'escalation',
      school_id: e.school,
      recipient,
      as_of: o.asOf,
      high: 0,
      medium: 0,
      escalation: {
        cases: e.cases,
        level: e.level,
        batch: createHash('sha256')
          .update(e.ids.sort((x, y) => x - y).join(','))
          .digest('hex')
          .slice(0, 16),
      },
      link: `${o.link.replace(/\/$/, '')}${e.level === 'school' ? '/school' : '/area'}`,
    });
    delivered += sent.delivered;
    pending += sent.pending;
  }
  // Told once a notice is planned: one not yet delivered is in the delivery log, which `ews deliveries --send` retries.
  if (told.length) await db.query('update alerts set escalation_told_at = now() where id = any($1::bigint[])', [told]);
  return { delivered, pending, unreached, told };
}
