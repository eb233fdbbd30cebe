import type { ModelMeta } from './registry.js';
import type { ScoringModel } from './scorer.js';

/** The id that names the built-in rules: `ews run --model rules`. */
export const RULES_MODEL_ID = 'rules';

/**
 * Rule-based tiers for a district with no dropout history yet (a first year): there is nothing
 * to learn from, so the score is a fixed sum of the warning signs schools already act on —
 * unexcused absence, a streak of it, a severe family event, aid stopped, exams failed or missed,
 * hidden difficulty — through a sigmoid. Its risk is a rule's score, not a calibrated probability;
 * the tiers' floors and class capacity apply as to any model, and its reasons are exact.
 */
const WEIGHTS: Record<string, number> = {
  att_unexcused_rate_4w: 6,
  att_unexcused_streak: 0.6,
  att_days_since_present: 0.03,
  family_recent_severe: 1.5,
  family_event_load: 0.8,
  aid_stopped_8w: 0.8,
  grade_failing_subjects: 0.3,
  grade_exams_missed_8w: 0.25,
  grade_z_class: -0.3,
  hidden_difficulty: 0.8,
};
const BIAS = -4.5;

export function rulesModel(): ScoringModel & { meta: ModelMeta } {
  const features = Object.keys(WEIGHTS);
  const width = features.length;
  const nan = { auc: Number.NaN, pr_auc: Number.NaN, brier: Number.NaN, precision_at_10pct: Number.NaN, recall_at_10pct: Number.NaN, n: 0, positives: 0 };
  const meta: ModelMeta = {
    id: RULES_MODEL_ID,
    kind: 'logistic',
    created_at: '1970-01-01T00:00:00.000Z',
    as_of: '',
    horizon_days: 56,
    seed: 0,
    features,
    standardiser: { mean: new Array(width).fill(0), sd: new Array(width).fill(1) },
    calibration: { a: 1, b: 0 },
    hyper: { rules: 'built in: no training data' },
    window: { train: [], validation: [], test: [], gap_relaxed: false },
    fingerprint: '',
    backend: 'none',
    metrics: { n_train: 0, test: nan, validation: {}, baselines: {}, reliability: { bins: [], ece: Number.NaN } },
  };
  return {
    kind: 'logistic',
    features,
    standardiser: meta.standardiser,
    calibration: meta.calibration,
    net: [{ inputs: width, units: 1, kernel: Float32Array.from(features, (f) => WEIGHTS[f]), bias: Float32Array.of(BIAS), relu: false }],
    meta,
  };
}
