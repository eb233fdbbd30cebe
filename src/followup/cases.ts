import { EwsError } from '../errors/index.js';
import type { Db } from '../store/index.js';
import { loadProcedure } from './procedure.js';
import type { CaseCause, CaseStatus, Step } from './states.js';

export type AlertCause = CaseCause;

export interface NewAlert {
  student_id: string;
  school_id: string;
  class_id: string;
  cause: AlertCause;
  as_of: string;
  risk?: number;
  detail?: Record<string, unknown>;
}

export interface AlertRow extends Required<Omit<NewAlert, 'detail'>> {
  id: number;
  status: CaseStatus;
  detail: Record<string, unknown>;
  opened_at: Date;
  touched_at: Date;
  escalated_at: Date | null;
  closed_at: Date | null;
}

/**
 * Opens an alert unless one is already open for the same student and cause; returns the alert
 * and whether it is new. The database's partial unique index settles races between workers.
 */
export async function openAlert(db: Db, a: NewAlert): Promise<{ alert: AlertRow; created: boolean }> {
  const inserted = await db.query<AlertRow>(
    `insert into alerts (student_id, school_id, class_id, cause, as_of, risk, detail)
     values ($1, $2, $3, $4, $5, $6, $7)
     on conflict (student_id, cause) where closed_at is null do nothing
     returning *`,
    [a.student_id, a.school_id, a.class_id, a.cause, a.as_of, a.risk ?? null, JSON.stringify(a.detail ?? {})],
  );
  if (inserted.rows.length > 0) return { alert: normalise(inserted.rows[0]), created: true };
  const open = await db.query<AlertRow>(`select * from alerts where student_id = $1 and cause = $2 and closed_at is null`, [a.student_id, a.cause]);
  return { alert: normalise(open.rows[0]), created: false };
}

export interface StepInput {
  /** A step of the `case_procedure` table (the code's Step names the ordinary ones). */
  step: Step | string;
  kind?: string;
  by: string;
  /** Free text: kept for the case file, never logged or listed. */
  note?: string;
  at?: Date;
  /** For `left`: the outcome's date (default the step's date). */
  outcomeDate?: string;
}

/**
 * Records a follow-up step: checks it is allowed from the case's status, moves the case on,
 * closes it where the path ends, and writes `returned`/`left` back as an outcome for training.
 */
/** A step's note is a line for the case file, not a document: longer ones are refused, not cut. */
export const NOTE_MAX = 500;

export async function recordStep(db: Db, alertId: number, s: StepInput): Promise<AlertRow> {
  if (s.note !== undefined && s.note.length > NOTE_MAX)
    throw new EwsError('EWS_BAD_OPTION', `a note is at most ${NOTE_MAX} characters (this one has ${s.note.length})`);
  return db.transaction(async (tx) => {
    const procedure = await loadProcedure(tx);
    const { rows } = await tx.query<AlertRow>('select * from alerts where id = $1 for update', [alertId]);
    if (rows.length === 0) throw new EwsError('EWS_BAD_OPTION', `no alert ${alertId}`);
    const alert = normalise(rows[0]);
    // The same step sent twice (a double tap, a form posted again) is recorded once.
    const last = await tx.query<{ step: string; kind: string | null; by_staff: string; note: string | null; recorded: Date }>(
      'select step, kind, by_staff, note, recorded_at as recorded from case_steps where alert_id = $1 order by id desc limit 1',
      [alertId],
    );
    const l = last.rows[0];
    if (
      l &&
      l.step === s.step &&
      l.kind === (s.kind ?? null) &&
      l.by_staff === s.by &&
      l.note === (s.note ?? null) &&
      Date.now() - new Date(l.recorded).getTime() < 60_000
    )
      return alert;
    // What the step may do is the county's procedure table, not code: a row, or the step does not fit.
    const move = procedure.move(alert.status, s.step, alert.cause);
    if (!move) throw new EwsError('EWS_BAD_OPTION', `a case that is ${alert.status} cannot take the step ${s.step}`);
    if (move.kinds.length > 0 && (!s.kind || !move.kinds.includes(s.kind)))
      throw new EwsError('EWS_BAD_OPTION', `step ${s.step} needs a kind: one of ${move.kinds.join(', ')}`);
    if (move.note_required && !s.note?.trim()) throw new EwsError('EWS_BAD_OPTION', `step ${s.step} needs a note (what was done, or the investigation record)`);
    const to = move.to_status as CaseStatus;
    if (s.step === 'reopen') {
      // One open case per student and cause: a reopened case may not stand beside a newer open one.
      const other = await tx.query('select 1 from alerts where student_id = $1 and cause = $2 and closed_at is null and id <> $3', [
        alert.student_id,
        alert.cause,
        alertId,
      ]);
      if (other.rows.length > 0) throw new EwsError('EWS_BAD_OPTION', `student ${alert.student_id} already has an open case for ${alert.cause}`);
    }
    const at = s.at ?? new Date();
    await tx.query(`insert into case_steps (alert_id, step, kind, from_status, to_status, by_staff, at, note) values ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      alertId,
      s.step,
      s.kind ?? null,
      alert.status,
      to,
      s.by,
      at,
      s.note ?? null,
    ]);
    // Whether the step ends the case is the table's too (a county may add its own closing steps).
    const closed = move.closes;
    const updated = await tx.query<AlertRow>(
      // A step answers an escalation: the case may go up again only if it lapses again. A step dated earlier (a
      // home visit recorded the day after) does not make the case look older than its latest step.
      `update alerts set status = $2, touched_at = greatest(touched_at, $3), escalated_to = null, closed_at = case when $4 then $3 when $5 then null else closed_at end where id = $1 returning *`,
      [alertId, to, at, closed, s.step === 'reopen'],
    );
    const outcome = s.step === 'returned' ? 'returned' : s.step === 'left' ? s.kind : null;
    if (outcome) {
      await tx.query(`insert into followup_outcomes (student_id, date, outcome, alert_id) values ($1, $2, $3, $4) on conflict do nothing`, [
        alert.student_id,
        s.outcomeDate ?? at.toISOString().slice(0, 10),
        outcome,
        alertId,
      ]);
    }
    return normalise(updated.rows[0]);
  });
}

export type Level = 'school' | 'township' | 'county';

/**
 * Open cases past their status's deadline (the `escalation_rules` table, which a county adjusts: a
 * new case unacknowledged for 2 days, a 限期复学通知 with no return after its week …) go up to the
 * level the rule names — once per lapse: a step taken on the case answers it. Returns them, with the
 * level, for a notice to that level and their pages.
 */
export async function escalateStale(db: Db, now: Date): Promise<(AlertRow & { escalated_to: Level })[]> {
  const { rows } = await db.query<AlertRow & { escalated_to: Level }>(
    `update alerts a set escalated_at = $1::timestamptz, escalated_to = r.to_level, escalation_told_at = null
       from escalation_rules r
      where a.closed_at is null and r.status = a.status
        and a.touched_at < $1::timestamptz - make_interval(days => r.deadline_days)
        and a.escalated_to is distinct from r.to_level
     returning a.*`,
    [now],
  );
  return rows.map((r) => ({ ...normalise(r), escalated_to: r.escalated_to }));
}

/**
 * Escalated cases nobody at their level has been told of yet: just sent up, or sent up when that level had
 * no account, or when the check stopped between sending up and telling. Each check tells them.
 */
export async function untoldEscalations(db: Db): Promise<(AlertRow & { escalated_to: Level })[]> {
  const { rows } = await db.query<AlertRow & { escalated_to: Level }>(
    'select * from alerts where closed_at is null and escalated_to is not null and escalation_told_at is null order by id',
  );
  return rows.map((r) => ({ ...normalise(r), escalated_to: r.escalated_to }));
}

/** The rules as a county has set them. */
export async function escalationRules(db: Db): Promise<{ status: string; deadline_days: number; to_level: Level; note: string }[]> {
  return (
    await db.query<{ status: string; deadline_days: number; to_level: Level; note: string }>('select * from escalation_rules order by deadline_days, status')
  ).rows;
}

/** Outcomes the follow-up recorded, as outcomes.csv rows, and the students who were treated. */
export async function followupLabels(
  db: Db,
): Promise<{ outcomes: { student_id: string; date: string; outcome: string }[]; treated: { student_id: string; date: string }[] }> {
  const outcomes = await db.query<{ student_id: string; date: string; outcome: string }>(
    `select student_id, to_char(date, 'YYYY-MM-DD') as date, outcome from followup_outcomes order by student_id, date`,
  );
  const treated = await db.query<{ student_id: string; date: string }>(
    `select a.student_id, to_char(min(s.at), 'YYYY-MM-DD') as date
     from case_steps s join alerts a on a.id = s.alert_id
     where s.step = 'intervene' group by a.student_id order by a.student_id`,
  );
  return { outcomes: outcomes.rows, treated: treated.rows };
}

function normalise(r: AlertRow): AlertRow {
  return { ...r, id: Number(r.id), detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail };
}
