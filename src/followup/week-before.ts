import type { Db } from '../store/index.js';

/** The scores a run recorded, as one text: a line per student, `student_id \t risk \t tier`. */
export interface RecordedScores {
  run_key: string;
  lines: string;
}

/**
 * The scores recorded by the run a week before `asOf` with the same model: the list head teachers
 * saw last week, which this week's "what changed" compares with. A run of the same data folder is
 * preferred to another folder's run of that week; none recorded gives null. The scores come as one
 * aggregated text value, not a million row objects: one value crosses from the embedded store's thread.
 */
export async function recordedWeekBefore(db: Db, o: { weekBefore: string; modelId: string; sameFolderKey: string }): Promise<RecordedScores | null> {
  // One statement: a caller may start its own transaction right after, which a second would wait behind.
  const { rows } = await db.query<{ run_key: string; lines: string | null }>(
    `select r.run_key,
            (select string_agg(s.student_id || E'\t' || s.risk::text || E'\t' || s.tier, E'\n') from scores s where s.run_key = r.run_key) as lines
       from runs r
      where r.as_of = $1 and r.model_id = $2
      order by (r.run_key = $3) desc, r.created_at desc
      limit 1`,
    [o.weekBefore, o.modelId, o.sameFolderKey],
  );
  if (rows.length === 0) return null;
  return { run_key: rows[0].run_key, lines: rows[0].lines ?? '' };
}
