import type { ScoredStudent } from '../scoring/index.js';
import type { Db } from '../store/index.js';
import { openAlert } from './cases.js';

/**
 * Keeps a weekly run in the system of record: the run, every score (replacing an earlier run of
 * the same key), and an alert for each student on the high tier — an open case is reused, so a
 * student high three weeks running has one case, not three.
 */
export async function recordRun(
  db: Db,
  run: { run_key: string; as_of: string; model_id: string; summary: unknown },
  scored: readonly ScoredStudent[],
): Promise<{ alerts_opened: number; alerts_open: number }> {
  await db.transaction(async (tx) => {
    await tx.query(
      `insert into runs (run_key, as_of, model_id, summary) values ($1, $2, $3, $4)
       on conflict (run_key) do update set as_of = excluded.as_of, model_id = excluded.model_id, summary = excluded.summary, created_at = now()`,
      [run.run_key, run.as_of, run.model_id, JSON.stringify(run.summary)],
    );
    await tx.query('delete from scores where run_key = $1', [run.run_key]);
    for (let i = 0; i < scored.length; i += 500) {
      const chunk = scored.slice(i, i + 500);
      const values: unknown[] = [];
      const rows = chunk.map((s, k) => {
        const details = { change: s.change, weekly_unexcused: s.weekly_unexcused, exam_standing: s.exam_standing, acute: s.acute };
        values.push(run.run_key, s.student_id, s.school_id, s.class_id, s.risk, s.rank_in_class, s.rank_in_school, s.tier, JSON.stringify(s.reasons), JSON.stringify(details));
        const b = k * 10;
        return `(${Array.from({ length: 10 }, (_, j) => `$${b + j + 1}`).join(', ')})`;
      });
      await tx.query(`insert into scores (run_key, student_id, school_id, class_id, risk, rank_in_class, rank_in_school, tier, reasons, details) values ${rows.join(',')}`, values);
    }
  });
  let opened = 0;
  let open = 0;
  for (const s of scored) {
    if (s.tier !== 'high') continue;
    const r = await openAlert(db, {
      student_id: s.student_id,
      school_id: s.school_id,
      class_id: s.class_id,
      cause: 'weekly_list',
      as_of: s.as_of,
      risk: s.risk,
      detail: { reasons: s.reasons.filter((x) => x.audience === 'all').map((x) => x.code), run_key: run.run_key },
    });
    open++;
    if (r.created) opened++;
  }
  return { alerts_opened: opened, alerts_open: open };
}
