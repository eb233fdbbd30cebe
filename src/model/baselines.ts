import type { Day } from '../dates/index.js';
import { featureIndex, type FeatureMatrix } from '../features/index.js';
import { OUTCOMES, type District } from '../sources/index.js';

const DROPPED = OUTCOMES.indexOf('dropped_out');

/** Baseline 1: rank by the share of unexcused absence over the last 4 weeks, nothing else. */
export function unexcusedRateScore(m: FeatureMatrix): Float64Array {
  const c = featureIndex('att_unexcused_rate_4w');
  return Float64Array.from({ length: m.rows }, (_, r) => m.values[r * m.width + c]);
}

/**
 * Baseline 2: everyone gets their school's dropout rate over the year before D
 * (dropouts dated in (D−365, D] over the school's students on file).
 */
export function schoolRateScore(d: District, m: FeatureMatrix, asOf: Day = m.asOf): Float64Array {
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
  return Float64Array.from(m.students, (s) => drops[d.roster.school[s]] / Math.max(1, size[d.roster.school[s]]));
}

/** The features a plain logistic regression on raw counts gets: what a spreadsheet would hold. */
export const RAW_COUNT_FEATURES = [
  'att_unexcused_days_4w',
  'grade_failing_subjects',
  'grade_exams_missed_8w',
  'family_events_365',
  'aid_stopped_8w',
] as const;
