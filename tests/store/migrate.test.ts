import { afterEach, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS, type Db } from '../../src/store/index.js';
import { ENGINES, freshDb } from '../helpers/databases.js';

describe.each(ENGINES)('migrations on %s', (engine) => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(() => cleanup());

  async function open(): Promise<Db> {
    const f = await freshDb(engine);
    cleanup = f.cleanup;
    return f.db;
  }

  it('should apply every migration once, and nothing on a second run', async () => {
    const db = await open();
    const { rows } = await db.query<{ id: number }>('select id from ews_migrations order by id');
    expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(await migrate(db)).toEqual([]);
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
