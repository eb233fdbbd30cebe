import { binCounts, psi, PSI_ALERT, type LoadedModel } from '../../model/index.js';
import { featureIndex, type FeatureMatrix } from '../../features/index.js';
import type { ScoredStudent } from '../../scoring/index.js';

export interface DriftCounts {
  features: Record<string, number[]>;
  risk: number[];
  /** High tier this week and last: in both, in either. */
  high_both: number;
  high_either: number;
}

/** This week's students binned as the model's training rows were, and the high tier's turnover. */
export function driftCounts(model: LoadedModel, m: FeatureMatrix, scored: readonly ScoredStudent[]): DriftCounts {
  const ref = model.meta.reference;
  const features: Record<string, number[]> = {};
  if (ref) {
    for (const [name, r] of Object.entries(ref.features)) {
      const values = new Float64Array(m.rows);
      const c = featureIndex(name);
      for (let row = 0; row < m.rows; row++) values[row] = m.values[row * m.width + c];
      features[name] = Array.from(binCounts(values, r.edges));
    }
  }
  const risk = ref
    ? Array.from(
        binCounts(
          scored.map((s) => s.risk),
          ref.risk.edges,
        ),
      )
    : [];
  const both = scored.filter((s) => s.tier === 'high' && s.prev_tier === 'high').length;
  const either = scored.filter((s) => s.tier === 'high' || s.prev_tier === 'high').length;
  return { features, risk, high_both: both, high_either: either };
}

/** Week-over-week high-tier overlap below this is churn worth a look. */
export const OVERLAP_ALERT = 0.3;

export interface DriftSummary {
  psi: Record<string, number>;
  score_psi: number | null;
  high_tier_overlap: number | null;
  alerts: string[];
}

/** Population stability of features and scores against the model's training rows, and the high tier's turnover. */
export function driftSummary(model: LoadedModel, parts: readonly DriftCounts[]): DriftSummary {
  const sum = (a: number[][]) => a.reduce((acc, x) => acc.map((v, i) => v + (x[i] ?? 0)), new Array(a[0]?.length ?? 0).fill(0) as number[]);
  const ref = model.meta.reference;
  const out: DriftSummary = { psi: {}, score_psi: null, high_tier_overlap: null, alerts: [] };
  if (ref) {
    for (const name of Object.keys(ref.features)) out.psi[name] = Math.round(psi(ref.features[name], sum(parts.map((p) => p.features[name]))) * 1000) / 1000;
    out.score_psi = Math.round(psi(ref.risk, sum(parts.map((p) => p.risk))) * 1000) / 1000;
    for (const [name, v] of Object.entries(out.psi)) if (v > PSI_ALERT) out.alerts.push(`feature ${name} PSI ${v}`);
    if (out.score_psi > PSI_ALERT) out.alerts.push(`score PSI ${out.score_psi}`);
  } else {
    out.alerts.push('the model has no training reference: drift not measured');
  }
  const both = parts.reduce((a, p) => a + p.high_both, 0);
  const either = parts.reduce((a, p) => a + p.high_either, 0);
  out.high_tier_overlap = either > 0 ? Math.round((both / either) * 1000) / 1000 : null;
  if (out.high_tier_overlap !== null && out.high_tier_overlap < OVERLAP_ALERT) out.alerts.push(`high tier overlap with last week ${out.high_tier_overlap}`);
  return out;
}
