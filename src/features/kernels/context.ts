import type { Day } from '../../dates/index.js';
import { OUTCOMES, type District } from '../../sources/index.js';
import type { FeatureMatrix } from '../matrix.js';

const DROPPED = OUTCOMES.indexOf('dropped_out');

/**
 * The school's dropout rate over the year before D: dropouts dated in (D−365, D] over the
 * school's students on file. It lets a model give a school whose rate differs from the
 * district's its own intercept, from outcomes already known at D.
 */
export function schoolDropoutRate(d: District, asOf: Day): Float64Array {
  const schools = d.roster.schools.length;
  const size = new Float64Array(schools);
  const drops = new Float64Array(schools);
  for (let s = 0; s < d.roster.size; s++) size[d.roster.school[s]]++;
  const o = d.outcomes;
  if (o) {
    const st = o.int32('student_id');
    const day = o.int32('date');
    const kind = o.uint8('outcome');
    for (let i = 0; i < o.length; i++) {
      if (kind[i] === DROPPED && day[i] <= asOf && day[i] > asOf - 365) drops[d.roster.school[st[i]]]++;
    }
  }
  return Float64Array.from(size, (n, k) => drops[k] / Math.max(1, n));
}

export function contextFeatures(d: District, asOf: Day, m: FeatureMatrix): void {
  const rate = schoolDropoutRate(d, asOf);
  const set = m.column('school_dropout_rate');
  for (let r = 0; r < m.rows; r++) set(r, rate[d.roster.school[m.students[r]]]);
}
