import { openAlert, recordRun } from '../../src/followup/index.js';
import { renderCircumstances, type ScoredStudent } from '../../src/scoring/index.js';
import type { Db } from '../../src/store/index.js';
import { importStaff, setPassword } from '../../src/web/index.js';
import { scoredStudent } from './scored.js';

export const PASSWORD = 'correct horse battery';

function student(id: string, school: string, cls: string, tier: ScoredStudent['tier'], risk: number, flagged = false): ScoredStudent {
  return scoredStudent({ student_id: id, school_id: school, class_id: cls, tier, risk }, flagged);
}

/** Two classes of one school and one of another; staff of every role; one open case. */
export async function seedWeb(db: Db) {
  await recordRun(db, { run_key: 'k1', as_of: '2026-03-02', model_id: 'm', summary: {} }, [
    {
      ...student('sA1', 'S1', '7-1', 'high', 0.31, true),
      // Its year as the score stage keeps it for the 一人一档 page.
      records: {
        events: [{ date: '2026-02-10', event: 'parent_serious_illness', severity: 3 }],
        aid: [{ program: 'national_grant', status: 'granted', from: '2025-09-01', to: '2026-01-31' }],
        screenings: [{ date: '2026-02-20', instrument: 'MHT', flagged: true }],
      },
      canteen_z: -2.1,
      circumstances: renderCircumstances([['left_behind', 0.2, 1]]),
    },
    student('sA2', 'S1', '7-1', 'low', 0.01),
    // Low risk, urgent only by a flagged screening: the psychologist's, never visible to the head teacher as such.
    student('sA3', 'S1', '7-1', 'low', 0.004, true),
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
  // Whom to call, as students.csv carries it (kept by keepContacts in a run).
  await db.query(
    `insert into student_contacts (student_id, name, guardian_name, guardian_phone) values
       ('sA1', '王小明', '王大明(父亲)', '10012345678'), ('sA2', '李小红', null, null), ('sB1', '赵小刚', '赵奶奶(祖母)', '10087654321')`,
  );
  const { rows } = await db.query<{ id: string; student_id: string }>('select id, student_id from alerts order by student_id');
  return Object.fromEntries(rows.map((r) => [r.student_id, Number(r.id)])) as Record<string, number>;
}

export { openAlert };

/** The cookies a response sets, by name (what a browser would send back). */
export function cookiesOf(res: { headers: Record<string, unknown> }): Record<string, string> {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return Object.fromEntries(list.map((c: string) => c.split(';')[0].split('=') as [string, string]).map(([k, ...v]) => [k, v.join('=')]));
}
