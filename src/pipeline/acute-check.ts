import { detectAcute, notifyStaff } from '../alerts/index.js';
import { formatDay, todayInChina, type Day } from '../dates/index.js';
import { prepare } from '../features/index.js';
import { escalateStale, openAlert, recordStep, untoldEscalations } from '../followup/index.js';
import { currentModelId, loadModel } from '../model/index.js';
import { schoolPlaces, TRANSFER_CONFIRM_DAYS, unconfirmedTransfers } from '../report/index.js';
import { loadDistrict, staffMembers, type District } from '../sources/index.js';
import { notifyEscalations } from './escalation-notices.js';
import type { Db } from '../store/index.js';

export interface AcuteCheck {
  as_of: string;
  detected: number;
  opened: number;
  absence_streak: number;
  severe_event: number;
  /** Cases opened for transfers unconfirmed past TRANSFER_CONFIRM_DAYS, and closed now that the receiving school confirmed. */
  transfers_unconfirmed: number;
  transfers_confirmed: number;
  escalated: number;
  /** Escalated cases by the level they went to (escalation_rules). */
  escalated_to: { school: number; township: number; county: number };
  /** Escalated cases with nobody at that level in staff.csv to tell (they are told once someone is there). */
  escalations_unreached: number;
  notices_delivered: number;
  notices_pending: number;
}

/**
 * The same-day check, run as often as data arrives (by default twice a day): unexcused streaks
 * and new severe family events become alerts (one open per student and cause) with an urgent
 * notice — counts and a link — to each head teacher concerned; cases left untouched past their
 * deadline are escalated.
 */
export async function acuteCheck(db: Db, o: { data: string; asOf?: Day; streakDays?: number }): Promise<AcuteCheck> {
  const asOf = o.asOf ?? todayInChina();
  const { district } = await loadDistrict(o.data, { today: Math.max(asOf, todayInChina()) });
  const p = prepare(district);
  const current = await currentModelId();
  const model = current ? await loadModel(current) : null;
  const found = detectAcute(p, asOf, model, { streakDays: o.streakDays });
  const head = district.students.codes('head_teacher_id');
  const byTeacher = new Map<string, { school: string; absence_streak: number; severe_event: number }>();
  let opened = 0;
  for (const a of found) {
    const r = await openAlert(db, a);
    if (!r.created) continue;
    opened++;
    const s = district.roster.index.get(a.student_id)!;
    const teacher = head.data[s] >= 0 ? head.dict[head.data[s]] : '';
    if (!teacher) continue;
    const e = byTeacher.get(teacher) ?? { school: a.school_id, absence_streak: 0, severe_event: 0 };
    e[a.cause as 'absence_streak' | 'severe_event']++;
    byTeacher.set(teacher, e);
  }
  let delivered = 0;
  let pending = 0;
  const members = new Map(staffMembers(district.staff).map((m) => [m.staff_id, m]));
  for (const [teacher, e] of byTeacher) {
    const member = members.get(teacher);
    if (!member) continue;
    const sent = await notifyStaff(db, member, {
      kind: 'urgent',
      school_id: e.school,
      recipient: teacher,
      as_of: formatDay(asOf),
      high: 0,
      medium: 0,
      urgent: { absence_streak: e.absence_streak, severe_event: e.severe_event },
      link: process.env.EWS_PUBLIC_URL ?? 'ews',
    });
    delivered += sent.delivered;
    pending += sent.pending;
  }
  const transfers = await followTransfers(db, district, asOf);
  const escalated = await escalateStale(db, new Date());
  const { places } = await schoolPlaces(o.data, Math.max(asOf, todayInChina()));
  // Every escalation nobody has been told of yet, this check's and any an earlier check could not tell.
  const told = await notifyEscalations(db, await untoldEscalations(db), district.staff, places, {
    asOf: formatDay(asOf),
    link: process.env.EWS_PUBLIC_URL ?? 'ews',
  });
  return {
    as_of: formatDay(asOf),
    detected: found.length,
    opened,
    absence_streak: found.filter((a) => a.cause === 'absence_streak').length,
    severe_event: found.filter((a) => a.cause === 'severe_event').length,
    transfers_unconfirmed: transfers.opened,
    transfers_confirmed: transfers.closed,
    escalated: escalated.length,
    escalated_to: {
      school: escalated.filter((e) => e.escalated_to === 'school').length,
      township: escalated.filter((e) => e.escalated_to === 'township').length,
      county: escalated.filter((e) => e.escalated_to === 'county').length,
    },
    escalations_unreached: told.unreached,
    notices_delivered: delivered + told.delivered,
    notices_pending: pending + told.pending,
  };
}

/**
 * A transfer stays open until the receiving school confirms it: past TRANSFER_CONFIRM_DAYS with no
 * confirmation, the student gets a case (the 劝返 path fits it: they may simply have left); a case whose
 * transfer has since been confirmed, or who came back, is closed.
 */
async function followTransfers(db: Db, district: District, asOf: Day): Promise<{ opened: number; closed: number }> {
  // Without outcomes.csv this check knows nothing of transfers: it opens and closes nothing.
  if (!district.outcomes) return { opened: 0, closed: 0 };
  const open = unconfirmedTransfers(district.outcomes, asOf);
  const cls = district.students.codes('class_id');
  let opened = 0;
  for (const [s, day] of open) {
    if (asOf - day <= TRANSFER_CONFIRM_DAYS) continue;
    const id = district.roster.ids[s];
    // One case per transfer: one the school has closed (已离校, 结案) is not opened again for the same transfer.
    const { rows: before } = await db.query(
      `select 1 from alerts where student_id = $1 and cause = 'transfer_unconfirmed' and detail->>'transferred_on' = $2`,
      [id, formatDay(day)],
    );
    if (before.length > 0) continue;
    const r = await openAlert(db, {
      student_id: id,
      school_id: district.roster.schools[district.roster.school[s]],
      class_id: cls.data[s] >= 0 ? cls.dict[cls.data[s]] : '',
      cause: 'transfer_unconfirmed',
      as_of: formatDay(asOf),
      detail: { transferred_on: formatDay(day) },
    });
    if (r.created) opened++;
  }
  // Confirmed (or back): a case nobody has taken up yet is closed by a recorded step; one already on the 劝返
  // path stays with the people working it.
  const stillOpen = [...open.keys()].map((s) => district.roster.ids[s]);
  const { rows: settled } = await db.query<{ id: string; status: string }>(
    `select id, status from alerts where cause = 'transfer_unconfirmed' and closed_at is null and status in ('new', 'acknowledged') and not (student_id = any($1::text[]))`,
    [stillOpen],
  );
  let closed = 0;
  for (const a of settled) {
    if (a.status === 'new') await recordStep(db, Number(a.id), { step: 'acknowledge', by: 'ews', note: '接收学校已确认转入' });
    await recordStep(db, Number(a.id), { step: 'resolve', by: 'ews', note: '接收学校已确认转入' });
    closed++;
  }
  return { opened, closed };
}
