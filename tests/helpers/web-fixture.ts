import { openAlert, recordRun } from '../../src/followup/index.js';
import type { ScoredStudent } from '../../src/scoring/index.js';
import type { Db } from '../../src/store/index.js';
import { importStaff, setPassword } from '../../src/web/index.js';

export const PASSWORD = 'correct horse battery';

function student(id: string, school: string, cls: string, tier: ScoredStudent['tier'], risk: number, flagged = false): ScoredStudent {
  return {
    student_id: id,
    school_id: school,
    class_id: cls,
    head_teacher_id: '',
    grade_level: 7,
    as_of: '2026-03-02',
    risk,
    rank_in_class: 1,
    rank_in_school: 1,
    tier,
    change: 'new',
    prev_tier: null,
    prev_risk: null,
    weekly_unexcused: [0, 0, 0.2, 0.4, 0.6, null, 0.8, 1],
    exam_standing: [0.1, -0.3, -0.9, -1.4],
    reasons: [
      { code: 'att_unexcused_days_4w', weight: 1, zh: '近4周无故缺勤5天', en: '5 days absent without excuse', audience: 'all' },
      { code: 'wellbeing_flagged', weight: 0.5, zh: '心理筛查预警', en: 'flagged by screening', audience: 'psychologist' },
    ],
    acute: { wellbeing_flagged: flagged, wellbeing_z: flagged ? 2.5 : 0.1, family_severe: null },
  };
}

/** Two classes of one school and one of another; staff of every role; one open case. */
export async function seedWeb(db: Db) {
  await recordRun(db, { run_key: 'k1', as_of: '2026-03-02', model_id: 'm', summary: {} }, [
    student('sA1', 'S1', '7-1', 'high', 0.31, true),
    student('sA2', 'S1', '7-1', 'low', 0.01),
    student('sB1', 'S1', '7-2', 'high', 0.25),
    student('sC1', 'S2', '8-1', 'high', 0.4),
  ]);
  await importStaff(db, [
    { staff_id: 't1', school_id: 'S1', role: 'head_teacher', class_ids: ['7-1'] },
    { staff_id: 't2', school_id: 'S1', role: 'head_teacher', class_ids: ['7-2'] },
    { staff_id: 'p1', school_id: 'S1', role: 'psychologist', class_ids: [] },
    { staff_id: 'p2', school_id: 'S2', role: 'psychologist', class_ids: [] },
    { staff_id: 'a1', school_id: 'S1', role: 'analyst', class_ids: [] },
    { staff_id: 'adm', school_id: 'S1', role: 'admin', class_ids: [] },
  ]);
  for (const id of ['t1', 't2', 'p1', 'p2', 'a1', 'adm']) await setPassword(db, id, PASSWORD);
  const { rows } = await db.query<{ id: string; student_id: string }>('select id, student_id from alerts order by student_id');
  return Object.fromEntries(rows.map((r) => [r.student_id, Number(r.id)])) as Record<string, number>;
}

export { openAlert };
