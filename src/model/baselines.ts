import { featureIndex, type FeatureMatrix } from '../features/index.js';

/** Baseline 1: rank by the share of unexcused absence over the last 4 weeks, nothing else. */
export function unexcusedRateScore(m: FeatureMatrix): Float64Array {
  const c = featureIndex('att_unexcused_rate_4w');
  return Float64Array.from({ length: m.rows }, (_, r) => m.values[r * m.width + c]);
}

/**
 * Baseline 2: everyone gets their school's dropout rate over the year before D, as a yearly rate
 * (the `school_dropout_rate` feature: one definition for training, evaluation and the gate).
 */
export function schoolRateScore(m: FeatureMatrix): Float64Array {
  const c = featureIndex('school_dropout_rate');
  return Float64Array.from({ length: m.rows }, (_, r) => m.values[r * m.width + c]);
}

/** The features a plain logistic regression on raw counts gets: what a spreadsheet would hold. */
export const RAW_COUNT_FEATURES = ['att_unexcused_days_4w', 'grade_failing_subjects', 'grade_exams_missed_8w', 'family_events_365', 'aid_stopped_8w'] as const;
