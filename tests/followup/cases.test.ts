import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { escalateStale, followupLabels, openAlert, recordStep, allowedSteps } from '../../src/followup/index.js';
import type { Db } from '../../src/store/index.js';
import { ENGINES, freshDb } from '../helpers/databases.js';

const alert = { student_id: 's1', school_id: 'S', class_id: '8-2', cause: 'absence_streak' as const, as_of: '2026-03-02', risk: 0.4 };

describe.each(ENGINES)('follow-up cases on %s', (engine) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ db, cleanup } = await freshDb(engine)));
  afterEach(() => cleanup());

  it('should open one case per student and cause, however often it is detected', async () => {
    const a = await openAlert(db, alert);
    const b = await openAlert(db, { ...alert, risk: 0.6 });
    const other = await openAlert(db, { ...alert, cause: 'severe_event' });
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.alert.id).toBe(a.alert.id);
    expect(other.created).toBe(true);
  });

  it('should walk the ordinary path to resolved, recording who and when', async () => {
    const { alert: a } = await openAlert(db, alert);
    await recordStep(db, a.id, { step: 'acknowledge', by: 't1' });
    await recordStep(db, a.id, { step: 'contact', kind: 'parents_called', by: 't1' });
    await recordStep(db, a.id, { step: 'intervene', kind: 'tutoring', by: 't1', note: '周三放学后辅导数学' });
    const done = await recordStep(db, a.id, { step: 'resolve', by: 't1' });
    expect(done.status).toBe('resolved');
    expect(done.closed_at).not.toBeNull();
    const { rows } = await db.query<{ step: string; by_staff: string; from_status: string; to_status: string }>(
      'select step, by_staff, from_status, to_status from case_steps order by id',
    );
    expect(rows.map((r) => `${r.from_status}→${r.to_status}`)).toEqual([
      'new→acknowledged',
      'acknowledged→contacted',
      'contacted→intervention',
      'intervention→resolved',
    ]);
    expect(rows.every((r) => r.by_staff === 't1')).toBe(true);
  });

  it('should refuse a step the case is not ready for, and a step without its kind', async () => {
    const { alert: a } = await openAlert(db, alert);
    await expect(recordStep(db, a.id, { step: 'resolve', by: 't1' })).rejects.toThrow(/new cannot take the step resolve/);
    await recordStep(db, a.id, { step: 'acknowledge', by: 't1' });
    await expect(recordStep(db, a.id, { step: 'contact', by: 't1' })).rejects.toThrow(/needs a kind/);
    expect(allowedSteps('acknowledged')).toContain('persuade_visit');
  });

  it('should offer and accept the 劝返 path and a return only on a case for a student who stopped coming', async () => {
    const { alert: listed } = await openAlert(db, { ...alert, student_id: 's3', cause: 'weekly_list' });
    await recordStep(db, listed.id, { step: 'acknowledge', by: 't1' });
    expect(allowedSteps('acknowledged', 'weekly_list')).not.toContain('persuade_visit');
    expect(allowedSteps('contacted', 'weekly_list')).not.toContain('returned');
    expect(allowedSteps('contacted', 'weekly_list')).toContain('left'); // a listed student may still transfer or drop out
    await expect(recordStep(db, listed.id, { step: 'persuade_visit', by: 't1' })).rejects.toThrow(/cannot take the step persuade_visit/);
    await recordStep(db, listed.id, { step: 'contact', kind: 'talk', by: 't1' });
    await expect(recordStep(db, listed.id, { step: 'returned', by: 't1' })).rejects.toThrow(/cannot take the step returned/);
    expect((await followupLabels(db)).outcomes).toEqual([]); // no `returned` label for a student who never left
    expect(allowedSteps('acknowledged', 'absence_streak')).toContain('persuade_visit');
    expect(allowedSteps('contacted', 'absence_streak')).toContain('returned');
  });

  it('should reopen a resolved case, but not beside another open one of its cause, and never a return or a departure', async () => {
    const { alert: a } = await openAlert(db, { ...alert, student_id: 's4', cause: 'by_hand' });
    for (const step of ['acknowledge', 'resolve'] as const) await recordStep(db, a.id, { step, by: 't1' });
    const back = await recordStep(db, a.id, { step: 'reopen', by: 't1', note: '又连续请假' });
    expect([back.status, back.closed_at]).toEqual(['acknowledged', null]);
    await recordStep(db, a.id, { step: 'resolve', by: 't1' });
    const { alert: newer } = await openAlert(db, { ...alert, student_id: 's4', cause: 'by_hand' });
    expect(newer.id).not.toBe(a.id);
    await expect(recordStep(db, a.id, { step: 'reopen', by: 't1' })).rejects.toThrow(/already has an open case for by_hand/);
    expect(allowedSteps('returned')).toEqual([]);
    expect(allowedSteps('left')).toEqual([]);
    expect(allowedSteps('resolved')).toEqual(['reopen']);
  });

  it('should follow the persuade-to-return path and write the outcome back for training', async () => {
    const { alert: a } = await openAlert(db, alert);
    for (const step of ['acknowledge', 'persuade_visit', 'return_notice', 'escalate_township'] as const) await recordStep(db, a.id, { step, by: 't1' });
    const end = await recordStep(db, a.id, { step: 'left', kind: 'dropped_out', by: 'admin', outcomeDate: '2026-04-10' });
    expect(end.status).toBe('left');
    const other = await openAlert(db, { ...alert, student_id: 's2' });
    await recordStep(db, other.alert.id, { step: 'acknowledge', by: 't2' });
    await recordStep(db, other.alert.id, { step: 'intervene', kind: 'subsidy_applied', by: 't2', at: new Date('2026-03-05T02:00:00Z') });
    await recordStep(db, other.alert.id, { step: 'returned', by: 't2', outcomeDate: '2026-03-20' });
    const labels = await followupLabels(db);
    expect(labels.outcomes).toEqual([
      { student_id: 's1', date: '2026-04-10', outcome: 'dropped_out' },
      { student_id: 's2', date: '2026-03-20', outcome: 'returned' },
    ]);
    expect(labels.treated).toEqual([{ student_id: 's2', date: '2026-03-05' }]);
  });

  it('should follow the 劝返 procedure as the county table says: 报县, 行政处罚 and 司法 with their records, 下落不明 with an investigation', async () => {
    const { alert: a } = await openAlert(db, { ...alert, cause: 'absence_streak' });
    for (const step of ['acknowledge', 'persuade_visit', 'return_notice', 'escalate_township', 'escalate_county'] as const)
      await recordStep(db, a.id, { step, by: 't1' });
    await expect(recordStep(db, a.id, { step: 'admin_penalty', by: 't1' })).rejects.toThrow(/needs a note/);
    const penalty = await recordStep(db, a.id, { step: 'admin_penalty', by: 'township1', note: '乡镇依法对监护人批评教育并责令送子女入学' });
    expect(penalty.status).toBe('penalty');
    expect((await recordStep(db, a.id, { step: 'judicial', by: 'county1', note: '县教育局支持起诉' })).status).toBe('judicial');
    expect((await recordStep(db, a.id, { step: 'returned', by: 't1' })).status).toBe('returned');
    // 下落不明 needs its investigation record.
    const { alert: b } = await openAlert(db, { ...alert, student_id: 's9', cause: 'absence_streak' });
    for (const step of ['acknowledge', 'persuade_visit'] as const) await recordStep(db, b.id, { step, by: 't1' });
    await expect(recordStep(db, b.id, { step: 'whereabouts_unknown', by: 't1' })).rejects.toThrow(/needs a note/);
    expect((await recordStep(db, b.id, { step: 'whereabouts_unknown', by: 't1', note: '村委会、邻居均称全家外出，去向不明' })).status).toBe(
      'whereabouts_unknown',
    );
    // A county that does not use 行政处罚 removes it: data, not code.
    await db.query(`delete from case_procedure where step = 'admin_penalty'`);
    const { alert: c } = await openAlert(db, { ...alert, student_id: 's8', cause: 'absence_streak' });
    for (const step of ['acknowledge', 'persuade_visit', 'return_notice', 'escalate_township'] as const) await recordStep(db, c.id, { step, by: 't1' });
    await expect(recordStep(db, c.id, { step: 'admin_penalty', by: 't1', note: 'x' })).rejects.toThrow(/cannot take the step/);
    // One that serves a child who cannot attend adds 送教上门 as a closing step: a row, no code.
    await db.query(
      `insert into case_procedure (status, step, to_status, note_required, step_zh, closes) values ('escalated', 'home_teaching', 'home_teaching', true, '送教上门', true)`,
    );
    const taught = await recordStep(db, c.id, { step: 'home_teaching', by: 't1', note: '每周两次送教上门' });
    expect(taught.status).toBe('home_teaching');
    expect(taught.closed_at).not.toBeNull();
  });

  it("should not make a case look older when a step done earlier is recorded after today's", async () => {
    const { alert: a } = await openAlert(db, alert);
    await recordStep(db, a.id, { step: 'acknowledge', by: 't1' });
    const touched = (await db.query<{ touched_at: Date }>('select touched_at from alerts where id = $1', [a.id])).rows[0].touched_at;
    await recordStep(db, a.id, { step: 'contact', kind: 'home_visit', by: 't1', at: new Date(Date.now() - 40 * 86_400_000) });
    const after = (await db.query<{ touched_at: Date; status: string }>('select touched_at, status from alerts where id = $1', [a.id])).rows[0];
    expect(new Date(after.touched_at).getTime()).toBe(new Date(touched).getTime());
    expect(after.status).toBe('contacted');
  });

  it('should escalate cases left untouched past their deadline, once', async () => {
    const { alert: a } = await openAlert(db, alert);
    const { alert: b } = await openAlert(db, { ...alert, student_id: 's2' });
    await recordStep(db, b.id, { step: 'acknowledge', by: 't1' });
    const later = new Date(Date.now() + 3 * 86_400_000);
    const first = await escalateStale(db, later);
    expect(first.map((x) => x.id)).toEqual([a.id]);
    expect(await escalateStale(db, later)).toEqual([]);
    const muchLater = await escalateStale(db, new Date(Date.now() + 20 * 86_400_000));
    expect(muchLater.map((x) => x.id)).toEqual([b.id]);
  });
});
