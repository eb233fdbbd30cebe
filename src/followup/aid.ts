import { EVENT_TEXT, PROGRAM_TEXT } from '../features/index.js';
import type { StudentRecords } from '../scoring/index.js';
import type { Db } from '../store/index.js';

/**
 * 精准资助: what the aid office checks. Two lists, both quiet (never posted, never on a class list):
 * students whose signals suggest a hardship no one has certified (隐形困难), and students whose
 * certified status entitles them to aid they do not receive (应助尽助).
 */

/** Canteen spending at least this many SD below the school's boarders', with no aid in force, suggests hidden hardship. */
export const CANTEEN_SIGNAL_Z = -1.5;
/** A family event of these kinds in the last 90 days may have cut a household's income. */
const INCOME_EVENTS = new Set(['parent_death', 'parent_serious_illness', 'parent_job_loss', 'disaster_damage', 'parent_incarcerated']);
const RECENT_DAYS = 90;

/** Statuses that certify a household's difficulty, and what each entitles a student to, by grade. A county adjusts this table. */
export const ENTITLEMENTS: readonly { status: readonly string[]; program: string; grades: readonly [number, number]; boardersOnly?: boolean; why: string }[] = [
  {
    status: ['poverty_registered', 'minimum_living', 'extreme_poverty', 'difficulty_certified'],
    program: 'boarding_allowance',
    grades: [1, 9],
    boardersOnly: true,
    why: '义务教育阶段家庭经济困难寄宿生应享受寄宿生生活补助',
  },
  {
    status: ['poverty_registered', 'minimum_living', 'extreme_poverty', 'difficulty_certified'],
    program: 'national_grant',
    grades: [10, 12],
    why: '建档立卡、低保、特困家庭的普通高中学生应享受国家助学金',
  },
  {
    status: ['poverty_registered', 'minimum_living', 'extreme_poverty'],
    program: 'tuition_waiver',
    grades: [10, 12],
    why: '建档立卡、低保、特困家庭的普通高中学生应免除学杂费',
  },
];

const inForce = (r: StudentRecords | undefined, asOf: string) =>
  new Set((r?.aid ?? []).filter((a) => a.status === 'granted' && (!a.to || a.to >= asOf)).map((a) => a.program));
/** Given to nearly everyone (the nutrition meal in rural schools): says nothing about a household's need. */
const UNIVERSAL = new Set(['nutrition_meal']);

export interface AidSignal {
  code: 'canteen' | 'aid_stopped' | 'family_event';
  zh: string;
}

/** Signals of a hardship to verify, from what a score keeps; none for a student already receiving aid for the canteen signal. */
export function hardshipSignals(d: { records?: StudentRecords; canteen_z?: number }, asOf: string): AidSignal[] {
  const out: AidSignal[] = [];
  const aid = inForce(d.records, asOf);
  const needBased = [...aid].filter((p) => !UNIVERSAL.has(p));
  if (d.canteen_z !== undefined && d.canteen_z <= CANTEEN_SIGNAL_Z && needBased.length === 0)
    out.push({ code: 'canteen', zh: `食堂消费低于同校寄宿生 ${Math.abs(d.canteen_z).toFixed(1)} 个标准差，且未享受困难资助` });
  const cutoff = new Date(Date.parse(`${asOf}T00:00:00Z`) - 56 * 86_400_000).toISOString().slice(0, 10);
  const stopped = (d.records?.aid ?? []).filter(
    // A stop as a row of its own (dated the stop), kept in place (status stopped with the grant's start and an end), or a grant that ended.
    (a) => (a.status === 'stopped' && (a.to ?? a.from) >= cutoff) || (a.status === 'granted' && a.to && a.to >= cutoff && a.to < asOf),
  );
  if (stopped.length)
    out.push({
      code: 'aid_stopped',
      zh: `近8周资助停止（${stopped.map((a) => PROGRAM_TEXT[a.program as keyof typeof PROGRAM_TEXT]?.zh ?? a.program).join('、')}）`,
    });
  const recent = new Date(Date.parse(`${asOf}T00:00:00Z`) - RECENT_DAYS * 86_400_000).toISOString().slice(0, 10);
  const events = (d.records?.events ?? []).filter((e) => INCOME_EVENTS.has(e.event) && e.date >= recent);
  if (events.length)
    out.push({ code: 'family_event', zh: `近90天家庭变故（${events.map((e) => EVENT_TEXT[e.event as keyof typeof EVENT_TEXT]?.zh ?? e.event).join('、')}）` });
  return out;
}

/** Programmes a student's certified status entitles them to and that they do not receive as of D. */
export function entitlementGaps(d: { records?: StudentRecords; grade?: number; boarding?: boolean }, asOf: string): { program: string; why: string }[] {
  const aid = inForce(d.records, asOf);
  const out: { program: string; why: string }[] = [];
  for (const e of ENTITLEMENTS) {
    if (d.grade === undefined || d.grade < e.grades[0] || d.grade > e.grades[1]) continue;
    if (e.boardersOnly && !d.boarding) continue;
    if (!e.status.some((s) => aid.has(s))) continue;
    if (!aid.has(e.program)) out.push({ program: e.program, why: e.why });
  }
  return out;
}

export interface AidCheck {
  student_id: string;
  outcome: 'confirmed' | 'not_confirmed';
  reason: string | null;
  by_staff: string;
  at: Date;
}

/** What the aid office found: confirmed (aid proposed) or not (and why). Kept quietly: no push, no list. */
export async function recordAidCheck(db: Db, c: Omit<AidCheck, 'at'> & { school_id: string }): Promise<void> {
  await db.query('insert into aid_checks (student_id, school_id, outcome, reason, by_staff) values ($1, $2, $3, $4, $5)', [
    c.student_id,
    c.school_id,
    c.outcome,
    c.reason,
    c.by_staff,
  ]);
}

/** Each student's latest check at this school. */
export async function latestAidChecks(db: Db, school: string): Promise<Map<string, AidCheck>> {
  const { rows } = await db.query<AidCheck>(
    'select distinct on (student_id) student_id, outcome, reason, by_staff, at from aid_checks where school_id = $1 order by student_id, at desc, id desc',
    [school],
  );
  return new Map(rows.map((r) => [r.student_id, r]));
}
