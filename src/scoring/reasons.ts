import { FEATURES, type FeatureDef, type FeatureMatrix, type ReasonAudience } from '../features/index.js';
import { attributions, attributionScratch, type AttributionScratch, type ScoringModel } from '../model/index.js';

/** One reason a student is on a list: a stable code (the feature's name) and its words. */
export interface Reason {
  readonly code: string;
  /** The feature's part in the logit: how hard it pushed the risk up. */
  readonly weight: number;
  readonly zh: string;
  readonly en: string;
  readonly audience: ReasonAudience;
}

export interface ReasonOptions {
  /** At most this many reasons, strongest first. Default 4. */
  max?: number;
  /** Reasons that push the logit up by less are left out. Default 0.1. */
  minWeight?: number;
}

const BY_NAME = new Map<string, FeatureDef>(FEATURES.map((f) => [f.name, f]));

/**
 * The features that pushed a student's risk up most, in words. A feature becomes a reason only
 * if it has words, its value makes them true, and it may be shown at all: gender and ethnicity
 * are not inputs, and disability or hukou never become reasons.
 */
const scratches = new WeakMap<ScoringModel, AttributionScratch>();

export function reasonsFor(model: ScoringModel, m: FeatureMatrix, row: number, options: ReasonOptions = {}): Reason[] {
  const max = options.max ?? 4;
  const minWeight = options.minWeight ?? 0.1;
  let scratch = scratches.get(model);
  if (!scratch) scratches.set(model, (scratch = attributionScratch(model)));
  const a = attributions(model, m, row, scratch); // read here only: the next student reuses it
  const out: Reason[] = [];
  // Most students have few features above the floor: sort only those.
  const order: number[] = [];
  for (let k = 0; k < a.length; k++) if (a[k] >= minWeight) order.push(k);
  order.sort((x, y) => a[y] - a[x] || x - y);
  for (const k of order) {
    if (out.length >= max) break;
    const f = BY_NAME.get(model.features[k]);
    if (!f?.reason || f.audience === 'never') continue;
    const v = m.get(row, f.name);
    if (!f.reason.when(v)) continue;
    const d = m.detail(f.name, row);
    out.push({ code: f.name, weight: a[k], zh: f.reason.zh(v, d?.zh), en: f.reason.en(v, d?.en), audience: f.audience });
  }
  return out;
}

/** The reasons a role may read: head teachers never see wellbeing screening results. */
export function visibleTo(reasons: readonly Reason[], role: 'head_teacher' | 'psychologist' | 'analyst'): Reason[] {
  return reasons.filter((r) => r.audience === 'all' || (r.audience === 'psychologist' && role === 'psychologist'));
}
