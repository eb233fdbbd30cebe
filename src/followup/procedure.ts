import type { Db } from '../store/index.js';
import type { CaseCause } from './states.js';

/** One allowed move of a case: from a status, by a step, to a status (a row of `case_procedure`). */
export interface ProcedureRow {
  status: string;
  step: string;
  to_status: string;
  /** Only on a case for a student who stopped coming (the 劝返 path on an ordinary case). */
  absent_only: boolean;
  /** The step needs a note: what a 行政处罚 or 司法 step was, an investigation record for 下落不明. */
  note_required: boolean;
  kinds: string[];
  step_zh: string;
  /** The step ends the case. */
  closes: boolean;
}

const ABSENT: ReadonlySet<string> = new Set<CaseCause>(['absence_streak', 'transfer_unconfirmed']);

/**
 * The 劝返 procedure and the ordinary follow-up as data: the `case_procedure` table (migration 7, which a
 * county adjusts) says which steps each status takes, where they lead, what kinds and notes they need and
 * what they are called. Pages offer what it allows; recordStep accepts only what it allows.
 */
export class Procedure {
  private readonly byStatus = new Map<string, ProcedureRow[]>();
  constructor(readonly rows: readonly ProcedureRow[]) {
    for (const r of rows) (this.byStatus.get(r.status) ?? this.byStatus.set(r.status, []).get(r.status)!).push(r);
  }
  /** The move a step makes from a status on a case of this cause, or null when it does not fit. */
  move(status: string, step: string, cause?: string): ProcedureRow | null {
    const r = this.byStatus.get(status)?.find((x) => x.step === step);
    if (!r) return null;
    if (r.absent_only && cause && !ABSENT.has(cause)) return null;
    return r;
  }
  allowed(status: string, cause?: string): ProcedureRow[] {
    return (this.byStatus.get(status) ?? []).filter((r) => !r.absent_only || !cause || ABSENT.has(cause));
  }
  stepText(step: string): string | undefined {
    return this.rows.find((r) => r.step === step)?.step_zh;
  }
}

export async function loadProcedure(db: Db): Promise<Procedure> {
  const { rows } = await db.query<ProcedureRow>(
    'select status, step, to_status, absent_only, note_required, kinds, step_zh, closes from case_procedure order by status, step',
  );
  return new Procedure(rows.map((r) => ({ ...r, kinds: typeof r.kinds === 'string' ? parseArray(r.kinds) : r.kinds })));
}

/** A text[] as some drivers return it: `{a,b}`. */
function parseArray(s: string): string[] {
  const inner = s.replace(/^\{|\}$/g, '');
  return inner ? inner.split(',').map((x) => x.replace(/^"|"$/g, '')) : [];
}
