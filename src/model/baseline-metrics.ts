import { FEATURE_NAMES, type Prepared } from '../features/index.js';
import { RAW_COUNT_FEATURES } from './baselines.js';
import type { Examples } from './dataset.js';
import { reliability, summarise, type Metrics } from './metrics.js';
import { fitPlainLogistic, plainLogit } from './plain-logistic.js';
import { pickColumns } from './train-checks.js';

/**
 * The baselines every model must beat, on the same test examples: unexcused absence alone, the
 * school's dropout rate, and two plain logistic regressions fitted to their optimum — on the raw
 * counts a spreadsheet would hold, and on every feature ews computes.
 */
export function baselineMetrics(test: Examples, train: Examples): Record<string, Metrics> {
  const column = (name: string) => {
    const c = FEATURE_NAMES.indexOf(name);
    return Float64Array.from({ length: test.length }, (_, i) => test.x[i * test.width + c]);
  };
  const plain = (cols: number[]) => {
    const fit = fitPlainLogistic(pickColumns(train, cols), train.y, cols.length);
    const x = pickColumns(test, cols);
    return Float64Array.from({ length: test.length }, (_, i) => plainLogit(fit, x, i * cols.length));
  };
  return {
    unexcused_rate: summarise(column('att_unexcused_rate_4w'), test.y),
    school_rate: summarise(column('school_dropout_rate'), test.y),
    raw_counts_logistic: summarise(plain(RAW_COUNT_FEATURES.map((f) => FEATURE_NAMES.indexOf(f))), test.y),
    plain_logistic_all: summarise(plain(FEATURE_NAMES.map((_, c) => c)), test.y),
  };
}

export interface SchoolCalibration {
  n: number;
  positives: number;
  mean_predicted: number;
  observed: number;
  ece: number;
}

/** Calibration on the test block, school by school: mean risk against the share who left. */
export function reliabilityBySchool(p: Prepared, test: Examples, prob: ArrayLike<number>): Record<string, SchoolCalibration> {
  const rows = new Map<number, number[]>();
  for (let i = 0; i < test.length; i++) {
    const school = p.district.roster.school[test.student[i]];
    let r = rows.get(school);
    if (!r) rows.set(school, (r = []));
    r.push(i);
  }
  const out: Record<string, SchoolCalibration> = {};
  for (const [school, idx] of [...rows].sort((a, b) => a[0] - b[0])) {
    const pr = idx.map((i) => prob[i]);
    const y = idx.map((i) => test.y[i]);
    const positives = y.reduce((a, b) => a + b, 0);
    out[p.district.roster.schools[school]] = {
      n: idx.length,
      positives,
      mean_predicted: pr.reduce((a, b) => a + b, 0) / idx.length,
      observed: positives / idx.length,
      ece: reliability(pr, y).ece,
    };
  }
  return out;
}
