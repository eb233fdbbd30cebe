import type { Day } from '../../dates/index.js';
import { NO_DAY, type Table } from '../../sources/index.js';
import type { FeatureMatrix } from '../matrix.js';

const FLAGS = ['boarding', 'left_behind', 'single_parent', 'orphan', 'disability', 'rural_hukou'] as const;

/** Flags from the roll (unknown counts as no), age above the grade's usual age, recent enrolment. */
export function rosterFeatures(students: Table, asOf: Day, m: FeatureMatrix): void {
  for (const flag of FLAGS) {
    const v = students.int8(flag);
    const set = m.column(flag);
    for (let r = 0; r < m.rows; r++) set(r, v[m.students[r]] === 1 ? 1 : 0);
  }
  const birth = students.int32('birth_date');
  const level = students.float64('grade_level');
  const enrolled = students.int32('enrolled_on');
  const overAge = m.column('over_age');
  const grade = m.column('grade_level');
  const fresh = m.column('new_enrolment');
  const tenure = m.column('days_on_roll');
  for (let r = 0; r < m.rows; r++) {
    const s = m.students[r];
    grade(r, level[s]);
    if (birth[s] !== NO_DAY) overAge(r, Math.max(-2, Math.min(5, (asOf - birth[s]) / 365.25 - (level[s] + 6) - 0.5)));
    if (enrolled[s] !== NO_DAY && asOf - enrolled[s] < 90) fresh(r, 1);
    tenure(r, enrolled[s] === NO_DAY ? 730 : Math.max(0, Math.min(730, asOf - enrolled[s])));
  }
}
