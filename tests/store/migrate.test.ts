import { afterEach, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS, type Db } from '../../src/store/index.js';
import { recordRun, runPartition } from '../../src/followup/index.js';
import { renderStored } from '../../src/scoring/index.js';
import { latestScore } from '../../src/web/queries.js';
import { ENGINES, freshDb } from '../helpers/databases.js';
import { scoredStudent } from '../helpers/scored.js';

describe.each(ENGINES)('migrations on %s', (engine) => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(() => cleanup());

  async function open(o: { migrate?: boolean } = {}): Promise<Db> {
    const f = await freshDb(engine, o);
    cleanup = f.cleanup;
    return f.db;
  }

  it('should apply every migration once, and nothing on a second run', async () => {
    const db = await open();
    const { rows } = await db.query<{ id: number }>('select id from ews_migrations order by id');
    expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(await migrate(db)).toEqual([]);
  });

  it('should read scores kept as words before reasons were kept as codes, beside new ones', async () => {
    const db = await open({ migrate: false });
    await migrate(db, { upTo: 2 });
    const words = { code: 'att_unexcused_days_4w', weight: 1, zh: '近4周无故缺勤5天', en: '5 days absent without excuse in the last 4 weeks', audience: 'all' };
    await db.query(`insert into runs (run_key, as_of, model_id, summary) values ('old', '2026-03-02', 'm', '{}'), ('new', '2026-03-09', 'm', '{}')`);
    await db.query(`insert into scores values ('old', 'a', 'S', '7-1', 0.3, 1, 1, 'high', $1, '{"change":"new"}')`, [JSON.stringify([words])]);
    expect(await migrate(db)).toEqual(MIGRATIONS.filter((m) => m.id > 2).map((m) => m.id));
    await recordRun(db, { run_key: 'new', as_of: '2026-03-09', model_id: 'm', summary: {} }, [
      scoredStudent({ student_id: 'b', tier: 'low', risk: 0.01, reasons: renderStored([['att_unexcused_days_4w', 1, 5]]) }),
    ]);
    const old = await latestScore(db, 'a');
    const now = await latestScore(db, 'b');
    expect(old?.reasons).toEqual([words]);
    // Moved into a partition of its own, named as a run recorded now would name it.
    const part = await db.query<{ part: string }>(`select tableoid::regclass::text as part from scores where run_key = 'old'`);
    expect(part.rows).toEqual([{ part: runPartition('old').name }]);
    expect(old?.details).toEqual({ change: 'new' });
    expect(now?.reasons.map(({ zh, en, audience }) => ({ zh, en, audience }))).toEqual([{ zh: words.zh, en: words.en, audience: 'all' }]);
  });

  it('should keep one open alert per student and cause', async () => {
    const db = await open();
    const insert = () =>
      db.query(`insert into alerts (student_id, school_id, class_id, cause, as_of) values ('s1', 'S', '7-1', 'absence_streak', '2026-03-02')`);
    await insert();
    await expect(insert()).rejects.toThrow(/alerts_one_open|duplicate key/);
    await db.query(`update alerts set closed_at = now(), status = 'resolved'`);
    await insert(); // a closed case does not block a new one
    const { rows } = await db.query<{ n: string }>('select count(*) as n from alerts');
    expect(Number(rows[0].n)).toBe(2);
  });

  it('should roll a failed transaction back whole', async () => {
    const db = await open();
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`insert into audit (actor, role, action) values ('t1', 'head_teacher', 'view')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await db.query('select * from audit');
    expect(rows).toEqual([]);
  });
});
