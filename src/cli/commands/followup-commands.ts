import { detectAcute, deliver, listDeliveries, planDelivery, type Notice } from '../../alerts/index.js';
import { formatDay, todayInChina, type Day } from '../../dates/index.js';
import { prepare } from '../../features/index.js';
import { openAlert } from '../../followup/index.js';
import { currentModelId, loadModel } from '../../model/index.js';
import { log } from '../../observability/index.js';
import { loadDistrict } from '../../sources/index.js';
import { openDb } from '../../store/index.js';

/**
 * The same-day check: unexcused streaks and new severe family events become alerts (one open per
 * student and cause) and an urgent notice to each head teacher concerned — counts and a link only.
 */
export async function acuteCommand(o: { data: string; asOf: Day; streakDays: number; database?: string }) {
  const { district } = await loadDistrict(o.data, { today: Math.max(o.asOf, todayInChina()) });
  const p = prepare(district);
  const current = await currentModelId();
  const model = current ? await loadModel(current) : null;
  const found = detectAcute(p, o.asOf, model, { streakDays: o.streakDays });
  const db = await openDb({ url: o.database });
  try {
    let opened = 0;
    const byTeacher = new Map<string, { school: string; absence_streak: number; severe_event: number }>();
    const head = district.students.codes('head_teacher_id');
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
    const staff = district.staff;
    const delivered: string[] = [];
    if (staff) {
      const ids = staff.strings('staff_id');
      for (const [teacher, e] of byTeacher) {
        const i = ids.indexOf(teacher);
        if (i < 0) continue;
        const notice: Notice = { kind: 'urgent', school_id: e.school, recipient: teacher, as_of: formatDay(o.asOf), high: 0, medium: 0, urgent: { absence_streak: e.absence_streak, severe_event: e.severe_event }, link: process.env.EWS_PUBLIC_URL ?? 'ews' };
        const targets: ['webhook' | 'email', string][] = [];
        if (staff.strings('webhook_url')[i]) targets.push(['webhook', staff.strings('webhook_url')[i]]);
        if (staff.strings('email')[i] && process.env.EWS_SMTP_URL) targets.push(['email', staff.strings('email')[i]]);
        for (const [channel, target] of targets) {
          const d = await planDelivery(db, channel, teacher, target, notice);
          try {
            await deliver(db, d.idempotency_key);
            delivered.push(d.idempotency_key);
          } catch (e) {
            log.warn({ delivery: d.idempotency_key, err: (e as Error).message }, 'urgent notice not delivered yet; ews deliveries --send retries it');
          }
        }
      }
    }
    return { as_of: formatDay(o.asOf), detected: found.length, opened, absence_streak: found.filter((a) => a.cause === 'absence_streak').length, severe_event: found.filter((a) => a.cause === 'severe_event').length, notices_delivered: delivered.length };
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
    return (await listDeliveries(db, o.status)).map((d) => ({ key: d.idempotency_key, channel: d.channel, recipient: d.recipient, status: d.status, attempts: d.attempts, last_error: d.last_error }));
  } finally {
    await db.close();
  }
}
