import { createHash } from 'node:crypto';
import { EwsError } from '../errors/index.js';
import { storedReason, type ScoredStudent } from '../scoring/index.js';
import { copyField, type Db } from '../store/index.js';

export interface RunRecord {
  run_key: string;
  as_of: string;
  model_id: string;
}

export interface Recorded {
  alerts_opened: number;
  alerts_open: number;
}

/**
 * Keeps a weekly run in the system of record: the run, every score (replacing an earlier run of
 * the same key), and an alert for each student on the high tier — an open case is reused, so a
 * student high three weeks running has one case, not three.
 */
export async function recordRun(db: Db, run: RunRecord & { summary: unknown }, scored: readonly ScoredStudent[]): Promise<Recorded> {
  return recordRunAsScored(db, run, async (add) => add(scored), run.summary);
}

/**
 * recordRun for scores that arrive shard by shard while `produce` runs: each shard's rows are
 * written while the next is computed, all in one transaction, and nothing is held but the
 * high tier. The run's summary (tiers and count) is taken from the rows unless given.
 */
export async function recordRunAsScored(
  db: Db,
  run: RunRecord,
  produce: (add: (rows: readonly ScoredStudent[]) => Promise<void>) => Promise<void>,
  summary?: unknown,
  /** Where the time went after the last shard: the last COPY, the commit, the cases opened. */
  onTimings?: (ms: { record_tail: number; alerts: number }) => void,
): Promise<Recorded> {
  const high: ScoredStudent[] = [];
  const tiers = { high: 0, medium: 0, low: 0 };
  let scored = 0;
  let produced = performance.now();
  const part = runPartition(run.run_key);
  await db.transaction(async (tx) => {
    await upsertRun(tx, run, summary ?? {});
    // Built apart and attached at the end: COPY into a table with no index, the index built once. Nothing
    // touches `scores` before the swap (not even LIKE, whose lock would last the whole run): two runs
    // swapping at once would deadlock, and pages reading scores would wait on a run.
    await tx.query(`create table ${part.building} (${PARTITION_COLUMNS}, constraint run_key_is check (run_key = ${part.key}))`);
    let writing: Promise<void> = Promise.resolve();
    await produce(async (rows) => {
      await writing; // one shard in flight at a time; a failed write stops the producer here
      for (const s of rows) {
        tiers[s.tier]++;
        if (s.tier === 'high') high.push(s);
      }
      scored += rows.length;
      writing = insertScores(tx, part.building, run.run_key, rows);
    }).catch(async (e) => {
      await writing.catch(() => {}); // a shard failed while the last COPY ran: that COPY's failure is not the news
      throw e;
    });
    produced = performance.now();
    await writing;
    await tx.query(`alter table ${part.building} add primary key (run_key, student_id)`);
    // The swap: the one lock on `scores` this run takes, held until commit.
    await tx.query('lock table scores in access exclusive mode');
    await tx.query(`drop table if exists ${part.name}`); // a repeated run: the earlier scores go whole
    await tx.query(`alter table ${part.building} rename to ${part.name}`);
    // The check above proves the partition's bound, so attaching does not scan the million rows again.
    await tx.query(`alter table scores attach partition ${part.name} for values in (${part.key})`);
    if (summary === undefined) await upsertRun(tx, run, { tiers, scored });
  });
  const committed = performance.now();
  const opened = await openWeeklyAlerts(db, run.run_key, high);
  onTimings?.({ record_tail: Math.round(committed - produced), alerts: Math.round(performance.now() - committed) });
  return { alerts_opened: opened, alerts_open: high.length };
}

async function upsertRun(db: Db, run: RunRecord, summary: unknown): Promise<void> {
  await db.query(
    `insert into runs (run_key, as_of, model_id, summary) values ($1, $2, $3, $4)
     on conflict (run_key) do update set as_of = excluded.as_of, model_id = excluded.model_id, summary = excluded.summary, created_at = now()`,
    [run.run_key, run.as_of, run.model_id, JSON.stringify(summary)],
  );
}

/**
 * A shard's rows in one COPY: a statement per 500 rows made recording 100,000 scores take longer than
 * scoring them, and COPYs of 5,000 rows left an embedded store on its own thread idle between them, each
 * next one waiting for the pipeline's thread to come free and build it. Reasons go in as codes and values
 * (storedReason), rendered in words when shown.
 */
async function insertScores(db: Db, table: string, runKey: string, scored: readonly ScoredStudent[]): Promise<void> {
  for (let i = 0; i < scored.length; i += COPY_ROWS) {
    let text = '';
    for (const s of scored.slice(i, i + COPY_ROWS)) {
      const details = {
        change: s.change,
        weekly_unexcused: s.weekly_unexcused,
        exam_standing: s.exam_standing,
        acute: s.acute,
        ...(s.records ? { records: s.records } : {}),
        ...(s.circumstances.length ? { circumstances: s.circumstances.map(storedReason) } : {}),
        ...(s.canteen_z !== undefined ? { canteen_z: s.canteen_z } : {}),
        grade: s.grade_level,
        ...(s.boarding ? { boarding: true } : {}),
      };
      const reasons = JSON.stringify(s.reasons.map(storedReason));
      text += `${[runKey, s.student_id, s.school_id, s.class_id, s.risk, s.rank_in_class, s.rank_in_school, s.tier, reasons, JSON.stringify(details)].map(copyField).join('\t')}\n`;
    }
    await db.copyIn(`copy ${table} (${SCORE_COLUMNS}) from stdin`, text);
  }
}

/**
 * A run's partition of the scores table (migration 4): named from its key as the migration names the
 * partitions it made, so a repeated run finds and replaces its own.
 */
export function runPartition(runKey: string): { name: string; building: string; key: string } {
  // Keys go into DDL as literals (a statement cannot take them as parameters): only what runKey() makes.
  if (!/^[0-9A-Za-z._-]{1,100}$/.test(runKey))
    throw new EwsError('EWS_BAD_OPTION', `run key ${JSON.stringify(runKey)} is not letters, digits, '.', '_' or '-'`);
  const name = `scores_${createHash('md5').update(runKey).digest('hex').slice(0, 16)}`;
  return { name, building: `${name}_new`, key: `'${runKey}'` };
}

/**
 * The columns of a run's partition: those of `scores` as migration 4 made them, its checks named alike
 * (attaching refuses a table that differs, so a later migration that changes scores must change this too).
 */
const PARTITION_COLUMNS = `run_key text not null, student_id text not null, school_id text not null, class_id text not null,
  risk double precision not null constraint scores_risk_range check (risk >= 0 and risk <= 1), rank_in_class int not null, rank_in_school int not null,
  tier text not null constraint scores_tier_known check (tier in ('high', 'medium', 'low')), reasons json not null, details json not null default '{}'`;

/**
 * One case per high-tier student, in the order given: an open case for the same student and cause is kept, not doubled,
 * and one closed since the list's date is not opened again by a re-run of that week.
 */
async function openWeeklyAlerts(db: Db, runKey: string, high: readonly ScoredStudent[]): Promise<number> {
  let opened = 0;
  for (let i = 0; i < high.length; i += CHUNK) {
    const chunk = high.slice(i, i + CHUNK);
    const { rows } = await db.query(
      `insert into alerts (student_id, school_id, class_id, cause, as_of, risk, detail)
       select student_id, school_id, class_id, 'weekly_list', as_of::date, risk, detail
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::jsonb[]) with ordinality as t(student_id, school_id, class_id, as_of, risk, detail, k)
       -- A week run again (from another folder, say) does not reopen a case its list led to and someone closed since.
       where not exists (select 1 from alerts c where c.student_id = t.student_id and c.cause = 'weekly_list' and c.closed_at >= t.as_of::date)
       order by k
       on conflict (student_id, cause) where closed_at is null do nothing
       returning id`,
      [
        chunk.map((s) => s.student_id),
        chunk.map((s) => s.school_id),
        chunk.map((s) => s.class_id),
        chunk.map((s) => s.as_of),
        chunk.map((s) => s.risk),
        chunk.map((s) => JSON.stringify({ reasons: s.reasons.filter((x) => x.audience === 'all').map((x) => x.code), run_key: runKey })),
      ],
    );
    opened += rows.length;
  }
  return opened;
}

const CHUNK = 5000;
/** A default shard (50,000 students) in one COPY: about 20 MB of text. */
const COPY_ROWS = 50_000;
const SCORE_COLUMNS = 'run_key, student_id, school_id, class_id, risk, rank_in_class, rank_in_school, tier, reasons, details';
