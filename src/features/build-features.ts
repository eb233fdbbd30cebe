import type { Day } from '../dates/index.js';
import { onRoll } from './cohort.js';
import { aidFeatures } from './kernels/aid.js';
import { attendanceFeatures } from './kernels/attendance.js';
import { canteenFeatures } from './kernels/canteen.js';
import { contextFeatures } from './kernels/context.js';
import { familyFeatures } from './kernels/family.js';
import { gradeFeatures } from './kernels/grades.js';
import { rosterFeatures } from './kernels/roster.js';
import { wellbeingFeatures } from './kernels/wellbeing.js';
import { FeatureMatrix } from './matrix.js';
import type { Prepared } from './prepare.js';

/**
 * Features as of D for the given students (default: everyone on the roll as of D), from rows
 * dated on or before D only. Each kernel skips rows after D itself; tests/features check that
 * adding such rows changes nothing.
 */
export function buildFeatures(p: Prepared, asOf: Day, students: Int32Array = onRoll(p.district, asOf, p.exits)): FeatureMatrix {
  const d = p.district;
  const m = new FeatureMatrix(asOf, students);
  attendanceFeatures(p.attendance, asOf, m, d.roster.classOf);
  gradeFeatures(p.grades, asOf, m, d.grades.codes('subject'), d.grades.codes('term').data);
  familyFeatures(d.familyEvents, p.family, asOf, m);
  aidFeatures(d.subsidies, p.subsidies, asOf, m);
  wellbeingFeatures(d.wellbeing, p.wellbeing, asOf, m);
  canteenFeatures(d.mealCard, p.meal, asOf, m, d.roster.school);
  rosterFeatures(d.students, asOf, m);
  contextFeatures(p, asOf, m);
  return m;
}
