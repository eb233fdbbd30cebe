import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordRun } from '../../src/followup/index.js';
import type { ScoredStudent } from '../../src/scoring/index.js';
import type { Db } from '../../src/store/index.js';
import { ENGINES, freshDb } from '../helpers/databases.js';

function student(id: string, tier: ScoredStudent['tier'], risk: number): ScoredStudent {
  return {
    student_id: id, school_id: 'S', class_id: '7-1', head_teacher_id: 't1', grade_level: 7, as_of: '2026-03-02', risk,
    rank_in_class: 1, rank_in_school: 1, tier, change: 'new', prev_tier: null, prev_risk: null, weekly_unexcused: [], exam_standing: [],
    reasons: [{ code: 'att_unexcused_days_4w', weight: 1, zh: '近4周无故缺勤5天', en: '', audience: 'all' }, { code: 'wellbeing_flagged', weight: 0.5, zh: '心理筛查预警', en: '', audience: 'psychologist' }],
    acute: { wellbeing_flagged: false, wellbeing_z: 0, family_severe: null },
  };
}

describe.each(ENGINES)('recording a weekly run on %s', (engine) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ db, cleanup } = await freshDb(engine)));
  afterEach(() => cleanup());

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

  it('should replace, not add to, the scores of a repeated run', async () => {
    await recordRun(db, { run_key: 'k1', as_of: '2026-03-02', model_id: 'm', summary: {} }, [student('a', 'low', 0.01), student('b', 'low', 0.01)]);
    await recordRun(db, { run_key: 'k1', as_of: '2026-03-02', model_id: 'm', summary: {} }, [student('a', 'low', 0.01)]);
    const { rows } = await db.query<{ n: string }>(`select count(*) as n from scores`);
    expect(Number(rows[0].n)).toBe(1);
  });
});
