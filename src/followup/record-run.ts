import type { ScoredStudent } from '../scoring/index.js';
import type { Db } from '../store/index.js';

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
    // Thousands of rows a statement, one array per column: a statement per 500 rows made recording
    // 100,000 scores take longer than scoring them.
    for (let i = 0; i < scored.length; i += CHUNK) {
      const chunk = scored.slice(i, i + CHUNK);
      await tx.query(
        `insert into scores (run_key, student_id, school_id, class_id, risk, rank_in_class, rank_in_school, tier, reasons, details)
         select $1::text, * from unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::int[], $7::int[], $8::text[], $9::jsonb[], $10::jsonb[])`,
        [
          run.run_key,
          chunk.map((s) => s.student_id),
          chunk.map((s) => s.school_id),
          chunk.map((s) => s.class_id),
          chunk.map((s) => s.risk),
          chunk.map((s) => s.rank_in_class),
          chunk.map((s) => s.rank_in_school),
          chunk.map((s) => s.tier),
          chunk.map((s) => JSON.stringify(s.reasons)),
          chunk.map((s) => JSON.stringify({ change: s.change, weekly_unexcused: s.weekly_unexcused, exam_standing: s.exam_standing, acute: s.acute })),
        ],
      );
    }
  });
  // One case per high-tier student: an open case for the same student and cause is kept, not doubled.
  const high = scored.filter((s) => s.tier === 'high');
  let opened = 0;
  for (let i = 0; i < high.length; i += CHUNK) {
    const chunk = high.slice(i, i + CHUNK);
    const { rows } = await db.query(
      `insert into alerts (student_id, school_id, class_id, cause, as_of, risk, detail)
       select student_id, school_id, class_id, 'weekly_list', as_of::date, risk, detail
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::jsonb[]) as t(student_id, school_id, class_id, as_of, risk, detail)
       on conflict (student_id, cause) where closed_at is null do nothing
       returning id`,
      [
        chunk.map((s) => s.student_id),
        chunk.map((s) => s.school_id),
        chunk.map((s) => s.class_id),
        chunk.map((s) => s.as_of),
        chunk.map((s) => s.risk),
        chunk.map((s) => JSON.stringify({ reasons: s.reasons.filter((x) => x.audience === 'all').map((x) => x.code), run_key: run.run_key })),
      ],
    );
    opened += rows.length;
  }
  return { alerts_opened: opened, alerts_open: high.length };
}

const CHUNK = 5000;
