import type { Day } from '../dates/index.js';
import { buildFeatures, type Prepared } from '../features/index.js';
import { schoolRateScore, unexcusedRateScore } from './baselines.js';
import { dropoutLabels } from './labels.js';
import { reliability, summarise, type Metrics } from './metrics.js';
import type { LoadedModel } from './registry.js';
import { scoreMatrix } from './scorer.js';

export interface Evaluation {
  model_id: string;
  as_of: Day;
  horizon_days: number;
  metrics: Metrics;
  baselines: Record<string, Metrics>;
  ece: number;
}

/** Scores everyone on the roll as of D and compares with who dropped out in (D, D+H]. */
export function evaluateModel(p: Prepared, model: LoadedModel, asOf: Day, horizonDays: number): Evaluation {
  const m = buildFeatures(p, asOf);
  const y = dropoutLabels(p.district, m.students, asOf, horizonDays);
  const { risk } = scoreMatrix(model, m);
  return {
    model_id: model.meta.id,
    as_of: asOf,
    horizon_days: horizonDays,
    metrics: summarise(risk, y),
    baselines: {
      unexcused_rate: summarise(unexcusedRateScore(m), y),
      school_rate: summarise(schoolRateScore(m), y),
    },
    ece: reliability(risk, y).ece,
  };
}
