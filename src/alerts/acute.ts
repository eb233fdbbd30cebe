import { formatDay, type Day } from '../dates/index.js';
import { buildFeatures, onRoll, EVENT_TEXT, EVENT_WEIGHT, type Prepared } from '../features/index.js';
import type { AlertCause, NewAlert } from '../followup/index.js';
import { scoreMatrix, type ScoringModel } from '../model/index.js';
import { ACUTE_STREAK_DAYS, reasonsFor, visibleTo } from '../scoring/index.js';
import { FAMILY_EVENTS } from '../sources/index.js';

export interface AcuteOptions {
  /** Consecutive school days absent without excuse that raise an alert (疑似辍学). Default 3. */
  streakDays?: number;
  /** A severe family event dated within this many days before D is new. Default 2 (48 hours). */
  sinceDays?: number;
}

const DEATH = FAMILY_EVENTS.indexOf('parent_death');

/**
 * Severe enough to call the same day: a death whatever its recorded severity; a grave event (a parent
 * seriously ill or imprisoned, the home hit by a disaster: EVENT_WEIGHT ≥ 0.7) from severity 2; another
 * event that weighs on a household (≥ 0.5: a job lost, conflict at home, a new guardian, a divorce) at
 * severity 3. A parent gone to work away or a move is never an emergency on its own, whatever its severity.
 */
export function isSevereEvent(kind: number, severity: number): boolean {
  if (kind === DEATH) return true;
  const weight = EVENT_WEIGHT[FAMILY_EVENTS[kind]] ?? 0;
  const sev = Number.isNaN(severity) ? 2 : severity;
  return (weight >= 0.7 && sev >= 2) || (weight >= 0.5 && sev >= 3);
}

/**
 * What cannot wait for Monday: a run of unexcused absences, or a new severe family event. Each
 * becomes an alert at once; a severe event also re-scores the student (among their school, so
 * peer-relative features stay right) — the programmes' 48-hour re-identification.
 */
export function detectAcute(p: Prepared, asOf: Day, model: ScoringModel | null, o: AcuteOptions = {}): NewAlert[] {
  const d = p.district;
  const streakDays = o.streakDays ?? ACUTE_STREAK_DAYS;
  const since = o.sinceDays ?? 2;
  const roll = onRoll(d, asOf, p.exits);
  const m = buildFeatures(p, asOf, roll);
  const risk = model ? scoreMatrix(model, m).risk : null;
  const classId = d.students.codes('class_id');
  const base = (r: number, cause: AlertCause, detail: Record<string, unknown>): NewAlert => {
    const s = m.students[r];
    return {
      student_id: d.roster.ids[s],
      school_id: d.roster.schools[d.roster.school[s]],
      class_id: classId.dict[classId.data[s]],
      cause,
      as_of: formatDay(asOf),
      risk: risk ? risk[r] : undefined,
      detail,
    };
  };
  const out: NewAlert[] = [];
  const event = d.familyEvents.uint8('event');
  const severity = d.familyEvents.float64('severity');
  const fam = p.family;
  for (let r = 0; r < m.rows; r++) {
    const streak = m.get(r, 'att_unexcused_streak');
    if (streak >= streakDays) out.push(base(r, 'absence_streak', { streak_days: streak, days_since_present: m.get(r, 'att_days_since_present') }));
    const s = m.students[r];
    for (let k = fam.by.offsets[s]; k < fam.by.offsets[s + 1]; k++) {
      const i = fam.by.order[k];
      // From a kept history, an event is news from the day it was first seen, whatever day it is dated.
      const seen = d.familyEventsSeen && d.familyEventsSeen[i] > fam.day[i] ? d.familyEventsSeen[i] : fam.day[i];
      const age = asOf - seen;
      if (age < 0 || age >= since) continue;
      if (isSevereEvent(event[i], severity[i])) {
        const text = EVENT_TEXT[FAMILY_EVENTS[event[i]]];
        const reasons = model ? visibleTo(reasonsFor(model, m, r), 'head_teacher').map((x) => x.code) : [];
        out.push(
          base(r, 'severe_event', {
            event: FAMILY_EVENTS[event[i]],
            event_zh: text.zh,
            date: formatDay(fam.day[i]),
            ...(seen > fam.day[i] ? { first_seen: formatDay(seen) } : {}),
            rescored: model !== null,
            reasons,
          }),
        );
        break;
      }
    }
  }
  return out;
}
