import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordedWeekBefore, recordRun, recordRunAsScored, runPartition } from '../../src/followup/index.js';
import { renderStored, type ScoredStudent, type StoredReason } from '../../src/scoring/index.js';
import type { Db } from '../../src/store/index.js';
import { ENGINES, freshDb } from '../helpers/databases.js';
import { scoredStudent } from '../helpers/scored.js';

function student(id: string, tier: ScoredStudent['tier'], risk: number): ScoredStudent {
  return scoredStudent({
    student_id: id,
    tier,
    risk,
    head_teacher_id: 't1',
    weekly_unexcused: [],
    exam_standing: [],
    acute: { wellbeing_flagged: false, wellbeing_z: 0, family_severe: null },
  });
}

describe.each(ENGINES)('recording a weekly run on %s', (engine) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ db, cleanup } = await freshDb(engine)));
  afterEach(() => cleanup());

  it("should give back last week's recorded scores, exact to the double, preferring the same folder's run", async () => {
    const risk = [0.1 + 0.2, 1 / 3, 5e-324, 0.987654321012345];
    await recordRun(db, { run_key: 'other-2026-03-02', as_of: '2026-03-02', model_id: 'm', summary: {} }, [student('z', 'high', 0.5)]);
    await recordRun(
      db,
      { run_key: 'mine-2026-03-02', as_of: '2026-03-02', model_id: 'm', summary: {} },
      risk.map((r, k) => student(`s${k}`, k === 0 ? 'high' : 'low', r)),
    );
    await recordRun(db, { run_key: 'later-2026-03-02', as_of: '2026-03-02', model_id: 'm', summary: {} }, [student('y', 'low', 0.2)]);
    const got = await recordedWeekBefore(db, { weekBefore: '2026-03-02', modelId: 'm', sameFolderKey: 'mine-2026-03-02' });
    expect(got?.run_key).toBe('mine-2026-03-02');
    const lines = got!.lines
      .split('\n')
      .map((l) => l.split('\t'))
      .sort(([a], [b]) => a.localeCompare(b));
    expect(lines.map(([id, r, tier]) => [id, Number(r), tier])).toEqual(risk.map((r, k) => [`s${k}`, r, k === 0 ? 'high' : 'low']));
    // Another folder's run of that week where this folder has none: the latest recorded.
    expect((await recordedWeekBefore(db, { weekBefore: '2026-03-02', modelId: 'm', sameFolderKey: 'gone' }))?.run_key).toBe('later-2026-03-02');
    expect(await recordedWeekBefore(db, { weekBefore: '2026-03-02', modelId: 'another', sameFolderKey: 'mine-2026-03-02' })).toBeNull();
  });

  it('should store every score and open one case per high-tier student across weeks', async () => {
    const week1 = [student('a', 'high', 0.3), student('b', 'medium', 0.03), student('c', 'low', 0.001)];
    expect(await recordRun(db, { run_key: 'k1', as_of: '2026-03-02', model_id: 'm', summary: {} }, week1)).toEqual({ alerts_opened: 1, alerts_open: 1 });
    const week2 = [student('a', 'high', 0.35), student('b', 'high', 0.2)];
    expect(await recordRun(db, { run_key: 'k2', as_of: '2026-03-09', model_id: 'm', summary: {} }, week2)).toEqual({ alerts_opened: 1, alerts_open: 2 });
    const { rows } = await db.query<{ n: string }>(`select count(*) as n from scores`);
    expect(Number(rows[0].n)).toBe(5);
    const alerts = await db.query<{ student_id: string; detail: unknown }>(`select student_id, detail from alerts order by student_id`);
    expect(alerts.rows.map((r) => r.student_id)).toEqual(['a', 'b']);
    // A case carries only the reasons a head teacher may read.
    expect(JSON.stringify(alerts.rows[0].detail)).not.toContain('wellbeing');
  });

  it('should not reopen a case someone closed when the same week is run again from another folder, and open one the week after', async () => {
    const week = [student('a', 'high', 0.3)];
    await recordRun(db, { run_key: 'k1', as_of: '2026-03-02', model_id: 'm', summary: {} }, week);
    await db.query(`update alerts set status = 'resolved', closed_at = '2026-03-03T10:00:00+08' where student_id = 'a'`);
    const again = await recordRun(db, { run_key: 'k1-other-folder', as_of: '2026-03-02', model_id: 'm', summary: {} }, week);
    expect(again.alerts_opened).toBe(0);
    const next = await recordRun(db, { run_key: 'k2', as_of: '2026-03-09', model_id: 'm', summary: {} }, [{ ...week[0], as_of: '2026-03-09' }]);
    expect(next.alerts_opened).toBe(1); // high again a week after it was closed: a new case
  });

  it('should replace, not add to, the scores of a repeated run', async () => {
    await recordRun(db, { run_key: 'k1', as_of: '2026-03-02', model_id: 'm', summary: {} }, [student('a', 'low', 0.01), student('b', 'low', 0.01)]);
    await recordRun(db, { run_key: 'k1', as_of: '2026-03-02', model_id: 'm', summary: {} }, [student('a', 'low', 0.01)]);
    const { rows } = await db.query<{ n: string }>(`select count(*) as n from scores`);
    expect(Number(rows[0].n)).toBe(1);
  });

  it('should keep every field as scored, across many statements, whatever the ids and texts hold', async () => {
    const many = Array.from({ length: 12_345 }, (_, i) => student(`s${i}`, i % 40 === 0 ? 'high' : i % 7 === 0 ? 'medium' : 'low', (i % 1000) / 1000 + 1e-9));
    // Quotes, backslashes, commas, braces, tabs and line ends must survive the arrays or COPY lines rows travel in.
    many[17] = { ...student('s"17\\,{x}', 'high', 0.123456789012345), weekly_unexcused: [0.5, null, 0], exam_standing: [-1.25, 0.5] };
    many[17].reasons = renderStored([
      ['att_unexcused_days_4w', 1, 5],
      ['wellbeing_flagged', 0.5, 1],
      ['grade_change_prev', 0.25, -1.5, '数"学"\\5\t\n\r\\.\n\\.', 'ma,{th}s\\'],
    ]);
    expect(await recordRun(db, { run_key: 'k9', as_of: '2026-03-02', model_id: 'm', summary: {} }, many)).toEqual({
      alerts_opened: many.filter((s) => s.tier === 'high').length,
      alerts_open: many.filter((s) => s.tier === 'high').length,
    });
    const count = await db.query<{ n: string }>(`select count(*) as n from scores where run_key = 'k9'`);
    expect(Number(count.rows[0].n)).toBe(many.length);
    for (const k of [0, 17, 5000, 12_344]) {
      const want = many[k];
      const { rows } = await db.query<Record<string, unknown>>(`select * from scores where run_key = 'k9' and student_id = $1`, [want.student_id]);
      expect(rows).toHaveLength(1);
      const r = rows[0];
      expect([r.school_id, r.class_id, Number(r.risk), Number(r.rank_in_class), Number(r.rank_in_school), r.tier]).toEqual([
        want.school_id,
        want.class_id,
        want.risk,
        want.rank_in_class,
        want.rank_in_school,
        want.tier,
      ]);
      // Kept as codes and values, in words again when read: the very words scoring gave.
      expect(renderStored(r.reasons as StoredReason[])).toEqual(want.reasons);
      expect(r.details).toEqual({
        change: want.change,
        weekly_unexcused: want.weekly_unexcused,
        exam_standing: want.exam_standing,
        acute: want.acute,
        grade: want.grade_level,
      });
    }
    const alert = await db.query<{ detail: unknown; risk: number; as_of: unknown }>(`select detail, risk from alerts where student_id = $1`, [
      many[17].student_id,
    ]);
    expect(alert.rows[0].detail).toEqual({ reasons: ['att_unexcused_days_4w', 'grade_change_prev'], run_key: 'k9' });
    expect(Number(alert.rows[0].risk)).toBe(many[17].risk);
  });

  it('should record shard by shard exactly what it records at once: scores, cases in the same order, the run', async () => {
    const rows = Array.from({ length: 9_000 }, (_, i) =>
      student(`s${String(i).padStart(5, '0')}`, i % 30 === 0 ? 'high' : i % 9 === 0 ? 'medium' : 'low', (i % 997) / 997),
    );
    const run = { run_key: 'k5', as_of: '2026-03-02', model_id: 'm' };
    const other = await freshDb(engine);
    try {
      const tiers = {
        high: rows.filter((r) => r.tier === 'high').length,
        medium: rows.filter((r) => r.tier === 'medium').length,
        low: rows.filter((r) => r.tier === 'low').length,
      };
      const atOnce = await recordRun(db, { ...run, summary: { tiers, scored: rows.length } }, rows);
      const inTurn = await recordRunAsScored(other.db, run, async (add) => {
        for (let i = 0; i < rows.length; i += 2_500) await add(rows.slice(i, i + 2_500));
      });
      expect(inTurn).toEqual(atOnce);
      const dump = async (d: Db) => ({
        scores: (await d.query(`select * from scores order by student_id`)).rows,
        alerts: (await d.query(`select id, student_id, school_id, class_id, cause, status, as_of::text, risk, detail from alerts order by id`)).rows,
        runs: (await d.query(`select run_key, as_of::text, model_id, summary from runs`)).rows,
      });
      expect(await dump(other.db)).toEqual(await dump(db));
    } finally {
      await other.cleanup();
    }
  });

  it('should leave nothing of a run whose scoring fails half way', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => student(`s${i}`, 'high', 0.5));
    await expect(
      recordRunAsScored(db, { run_key: 'k6', as_of: '2026-03-02', model_id: 'm' }, async (add) => {
        await add(rows.slice(0, 50));
        throw new Error('shard 2 failed');
      }),
    ).rejects.toThrow('shard 2 failed');
    for (const table of ['runs', 'scores', 'alerts']) expect((await db.query(`select * from ${table}`)).rows, table).toEqual([]);
    // Nor the partition it was building.
    expect((await db.query(`select tablename from pg_tables where schemaname = current_schema() and tablename like 'scores_%'`)).rows).toEqual([]);
  });

  it("should keep each run's scores in a partition of its own, and swap a repeated run's whole", async () => {
    await recordRun(db, { run_key: 'k1', as_of: '2026-03-02', model_id: 'm', summary: {} }, [student('a', 'low', 0.01), student('b', 'high', 0.3)]);
    await recordRun(db, { run_key: 'k2', as_of: '2026-03-09', model_id: 'm', summary: {} }, [student('a', 'low', 0.02)]);
    await recordRun(db, { run_key: 'k1', as_of: '2026-03-02', model_id: 'm', summary: {} }, [student('c', 'medium', 0.05)]);
    const { rows } = await db.query<{ part: string; run_key: string; student_id: string }>(
      'select tableoid::regclass::text as part, run_key, student_id from scores order by run_key, student_id',
    );
    expect(rows).toEqual([
      { part: runPartition('k1').name, run_key: 'k1', student_id: 'c' },
      { part: runPartition('k2').name, run_key: 'k2', student_id: 'a' },
    ]);
    // Keys go into DDL as literals: only what runKey() makes is taken.
    expect(() => runPartition("k'); drop table runs; --")).toThrow(/run key/);
    // The primary key holds across the swap: a row of a run cannot come twice.
    await expect(
      db.query(
        `insert into scores (run_key, student_id, school_id, class_id, risk, rank_in_class, rank_in_school, tier, reasons) values ('k2', 'a', 'S', '7-1', 0, 1, 1, 'low', '[]')`,
      ),
    ).rejects.toThrow(/duplicate key/);
  });
});
