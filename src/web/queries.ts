import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { modelsDir, RULES_MODEL_ID } from '../model/index.js';
import { renderCircumstances, renderStored, type Reason, type StoredReason, type StudentRecords } from '../scoring/index.js';
import type { Db } from '../store/index.js';
import type { Account } from './accounts.js';

export interface ScoreRow {
  run_key?: string;
  student_id: string;
  school_id: string;
  class_id: string;
  risk: number;
  rank_in_class: number;
  rank_in_school: number;
  tier: 'high' | 'medium' | 'low';
  reasons: Reason[];
  details: {
    change: string;
    weekly_unexcused: (number | null)[];
    exam_standing: number[];
    acute: {
      wellbeing_flagged: boolean;
      wellbeing_z: number;
      wellbeing_screened?: boolean;
      family_severe: { zh: string; en: string } | null;
      absence_streak?: number;
    };
    records?: StudentRecords;
    canteen_z?: number;
    /** Grade level (1–12; absent from rows recorded before it was kept). */
    grade?: number;
    boarding?: boolean;
    /** Circumstances as stored (codes and values); `context` holds them in words. */
    circumstances?: StoredReason[];
  };
  /** Circumstances in words: context shown apart from the reasons, never one of them. */
  context: Reason[];
  as_of: string;
}

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const row = (r: ScoreRow): ScoreRow => {
  const details = json<ScoreRow['details']>(r.details);
  return { ...r, risk: Number(r.risk), reasons: renderStored(json(r.reasons)), details, context: renderCircumstances(details.circumstances ?? []) };
};

/**
 * The scores of the school's latest run (optionally some classes): the latest week, and of that week's runs the
 * last recorded — a week re-run from another folder replaces the first on the page instead of listing everyone twice.
 */
export async function latestScores(db: Db, school: string, classes?: readonly string[]): Promise<ScoreRow[]> {
  const { rows } = await db.query<ScoreRow>(
    `with latest as (
       select r.run_key, r.as_of from runs r
        where exists (select 1 from scores s2 where s2.run_key = r.run_key and s2.school_id = $1)
        order by r.as_of desc, r.created_at desc limit 1)
     select s.*, to_char(latest.as_of, 'YYYY-MM-DD') as as_of from scores s join latest on latest.run_key = s.run_key
     where s.school_id = $1 and ($2::jsonb is null or $2::jsonb ? s.class_id)
     order by s.class_id, s.rank_in_class, s.student_id`,
    [school, classes ? JSON.stringify(classes) : null],
  );
  return rows.map(row);
}

export async function latestScore(db: Db, studentId: string): Promise<ScoreRow | null> {
  const { rows } = await db.query<ScoreRow>(
    // Run by run through each partition's key (newest first) rather than every partition scanned for the id.
    `select s.*, to_char(r.as_of, 'YYYY-MM-DD') as as_of
       from runs r join lateral (select * from scores s where s.run_key = r.run_key and s.student_id = $1) s on true
      order by r.as_of desc, r.created_at desc limit 1`,
    [studentId],
  );
  return rows[0] ? row(rows[0]) : null;
}

/** May this account see this student at all? Head teachers: their classes; psychologists: their school. */
export function maySee(a: Account, s: { school_id: string; class_id: string }): boolean {
  if (a.school_id !== s.school_id) return false;
  if (a.role === 'psychologist' || a.role === 'counsellor') return true;
  if (a.role === 'head_teacher') return a.class_ids.includes(s.class_id);
  return false;
}

export async function caseHistory(db: Db, studentId: string) {
  const alerts = await db.query<{ id: string; cause: string; status: string; opened_at: Date; closed_at: Date | null; assigned_to: string | null }>(
    'select id, cause, status, opened_at, closed_at, assigned_to from alerts where student_id = $1 order by opened_at desc',
    [studentId],
  );
  const steps = await db.query<{ alert_id: string; step: string; kind: string | null; by_staff: string; at: Date; to_status: string; note: string | null }>(
    `select s.alert_id, s.step, s.kind, s.by_staff, s.at, s.to_status, s.note from case_steps s join alerts a on a.id = s.alert_id where a.student_id = $1 order by s.at, s.id`,
    [studentId],
  );
  return alerts.rows.map((a) => ({ ...a, id: Number(a.id), steps: steps.rows.filter((s) => Number(s.alert_id) === Number(a.id)) }));
}

/** Counts by school and tier: what an analyst sees, with no student in it. */
export async function aggregates(db: Db) {
  const { rows } = await db.query<{ school_id: string; tier: string; n: string; as_of: string }>(
    // Each school's latest run, once: two runs of one week are not added together.
    `with latest as (
       select distinct on (k.school_id) k.school_id, k.run_key, r.as_of
         from (select distinct run_key, school_id from scores) k join runs r on r.run_key = k.run_key
        order by k.school_id, r.as_of desc, r.created_at desc)
     select s.school_id, s.tier, count(*) as n, to_char(l.as_of, 'YYYY-MM-DD') as as_of
       from scores s join latest l on l.run_key = s.run_key and l.school_id = s.school_id
      group by s.school_id, s.tier, l.as_of order by s.school_id, s.tier`,
  );
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

export interface OpenCase {
  id: number;
  student_id: string;
  cause: string;
  status: string;
  opened_at: Date;
  touched_at: Date | null;
  assigned_to: string | null;
}

/** Each student's open case (the newest where there are several causes), for the lists' case column and filters. */
export async function openCasesOf(db: Db, studentIds: readonly string[]): Promise<Map<string, OpenCase>> {
  if (studentIds.length === 0) return new Map();
  const { rows } = await db.query<OpenCase>(
    `select distinct on (student_id) id, student_id, cause, status, opened_at, touched_at, assigned_to from alerts
      where student_id = any($1::text[]) and closed_at is null order by student_id, opened_at desc`,
    [studentIds],
  );
  return new Map(rows.map((r) => [r.student_id, { ...r, id: Number(r.id) }]));
}

/** Open cases handed to this member of staff by name. */
export async function casesAssignedTo(db: Db, staffId: string): Promise<OpenCase[]> {
  const { rows } = await db.query<OpenCase>(
    'select id, student_id, cause, status, opened_at, touched_at, assigned_to from alerts where assigned_to = $1 and closed_at is null order by opened_at',
    [staffId],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/**
 * A student's risk week by week, one point per week (the last run recorded for it). Each run's scores
 * are a partition keyed by run: the lookup goes run by run through each partition's key, not a scan.
 */
export async function riskHistory(db: Db, studentId: string): Promise<{ as_of: string; risk: number; tier: string }[]> {
  const { rows } = await db.query<{ as_of: string; risk: number; tier: string }>(
    `select distinct on (r.as_of) to_char(r.as_of, 'YYYY-MM-DD') as as_of, s.risk, s.tier
       from runs r join lateral (select risk, tier from scores s where s.run_key = r.run_key and s.student_id = $1) s on true
      order by r.as_of, r.created_at desc`,
    [studentId],
  );
  return rows.map((r) => ({ ...r, risk: Number(r.risk) }));
}

/** The horizon a run's model was trained for (what its percentages mean), from its model card; null if not found. */
export async function horizonOf(modelId: string | undefined): Promise<number | null> {
  if (!modelId || !/^[\w.-]+$/.test(modelId)) return null;
  if (modelId === RULES_MODEL_ID) return 56;
  const file = join(modelsDir(), modelId, 'meta.json');
  if (!existsSync(file)) return null;
  return (JSON.parse(await readFile(file, 'utf8')) as { horizon_days?: number }).horizon_days ?? null;
}

/** Staff as pages name them: display name where staff.csv gives one, else the id; and whether the account is disabled. */
export async function staffNames(db: Db): Promise<Map<string, { name: string; disabled: boolean }>> {
  const { rows } = await db.query<{ staff_id: string; display_name: string | null; disabled: boolean }>(
    'select staff_id, display_name, disabled from staff_accounts',
  );
  return new Map(rows.map((r) => [r.staff_id, { name: r.display_name || r.staff_id, disabled: r.disabled }]));
}
