import { FEATURE_NAMES } from '../features/index.js';
import type { District } from '../sources/index.js';
import type { TierOptions } from '../scoring/tiers.js';
import { applyPlatt, type Platt } from './calibrate.js';
import type { Examples } from './dataset.js';
import { listTiers, PARITY_BAND, type FairnessAudit } from './fairness.js';

/**
 * What training may do when a model finds one group's dropouts less often than another's, each
 * tried and chosen by validation (train.ts):
 *
 * - `none`: the model as fitted.
 * - `reweigh`: Kamiran & Calders (2012) — each training row weighted by P(group)·P(label) / P(group,
 *   label) over the cells of hukou × left-behind × disability, so no cell's dropouts are outweighed
 *   by its numbers; the logistic model and the trees are refitted with the weights.
 * - `group_offsets`: per-group calibration at the list — a logit offset for a group of hukou,
 *   left-behind or disability, set on the training block so that its dropouts are found at the
 *   reference group's rate at the list size in use (Hardt et al., 2016, equal opportunity, as a
 *   score shift so the list stays top k of a class). The group then moves the score: the model card
 *   says so, and it is never shown as a reason.
 *
 * Choosing among the candidates by their validation audit is the constraint on the group rates at
 * the list size during model selection.
 */
export const MITIGATIONS = ['none', 'reweigh', 'group_offsets'] as const;
export type Mitigation = (typeof MITIGATIONS)[number];

/** The attributes a mitigation may use: those every feature matrix carries (gender and ethnicity are never in it). */
export const MITIGATED = ['rural_hukou', 'left_behind', 'disability'] as const;

/** A shift of the logit for students whose `feature` reads `value`. */
export interface GroupOffset {
  feature: string;
  value: number;
  logit: number;
}

/** The widest offset tried: e^2.5 ≈ 12 times the odds, beyond which a group is not corrected but relabelled. */
const MAX_OFFSET = 2.5;
/**
 * Dropouts a group needs on the fitting block before it is corrected: below it an offset fits the
 * noise of a few students (on the generator, offsets set on a dozen disabled dropouts turned a 0.73
 * into 2.7 on the test block).
 */
export const MIN_POSITIVES_TO_CORRECT = 30;

const column = (f: string) => FEATURE_NAMES.indexOf(f);

/** Kamiran–Calders weights (mean 1) for the rows of `e`. */
export function reweighing(e: Examples): Float64Array {
  const cols = MITIGATED.map(column);
  const cell = (i: number) => cols.reduce((k, c) => k * 2 + (e.x[i * e.width + c] > 0.5 ? 1 : 0), 0);
  const cells = 1 << cols.length;
  const n = new Float64Array(cells * 2);
  let pos = 0;
  for (let i = 0; i < e.length; i++) {
    n[cell(i) * 2 + e.y[i]]++;
    pos += e.y[i];
  }
  const py = [(e.length - pos) / e.length, pos / e.length];
  const w = new Float64Array(e.length);
  let sum = 0;
  for (let i = 0; i < e.length; i++) {
    const c = cell(i);
    const pg = (n[c * 2] + n[c * 2 + 1]) / e.length;
    const pgy = n[c * 2 + e.y[i]] / e.length;
    w[i] = (pg * py[e.y[i]]) / pgy;
    sum += w[i];
  }
  const mean = sum / Math.max(1, e.length);
  for (let i = 0; i < e.length; i++) w[i] /= mean;
  return w;
}

/** Each row's total offset. */
export function offsetLogits(offsets: readonly GroupOffset[], e: { x: Float32Array; width: number; length: number }): Float64Array {
  const out = new Float64Array(e.length);
  for (const o of offsets) {
    const c = column(o.feature);
    for (let i = 0; i < e.length; i++) if (e.x[i * e.width + c] === o.value) out[i] += o.logit;
  }
  return out;
}

/**
 * Offsets that bring each group of the mitigated attributes with enough dropouts to the recall of
 * its attribute's largest group, at the list size, on the rows given (the training block): a
 * bisection per group, two rounds over the attributes since moving one group moves the lists the
 * others are found on. Only groups with enough dropouts there and outside the band are corrected.
 * Bounded: 2 rounds × 3 attributes × 12 halvings.
 */
export function fitGroupOffsets(d: District, e: Examples, logits: Float64Array, platt: Platt, tiers: TierOptions = {}): GroupOffset[] {
  const offsets: GroupOffset[] = [];
  const shifted = new Float64Array(e.length);
  const recallOf = (current: readonly GroupOffset[], c: number, value: number) => {
    const extra = offsetLogits(current, e);
    for (let i = 0; i < e.length; i++) shifted[i] = applyPlatt(platt, logits[i] + extra[i]);
    const tier = listTiers(d, e, shifted, tiers);
    const hits = [0, 0];
    const pos = [0, 0];
    for (let i = 0; i < e.length; i++) {
      if (!e.y[i]) continue;
      const g = e.x[i * e.width + c] === value ? 1 : 0;
      pos[g]++;
      if (tier[i] === 'high') hits[g]++;
    }
    return { group: pos[1] > 0 ? hits[1] / pos[1] : Number.NaN, rest: pos[0] > 0 ? hits[0] / pos[0] : Number.NaN, pos };
  };
  for (let round = 0; round < 2; round++) {
    for (const feature of MITIGATED) {
      const c = column(feature);
      // The smaller side of a 0/1 attribute is the one corrected; the larger is its reference.
      let ones = 0;
      for (let i = 0; i < e.length; i++) ones += e.x[i * e.width + c] > 0.5 ? 1 : 0;
      const value = ones * 2 < e.length ? 1 : 0;
      const others = offsets.filter((o) => o.feature !== feature);
      const start = recallOf(offsets, c, value);
      if (start.pos[1] < MIN_POSITIVES_TO_CORRECT || start.pos[0] < MIN_POSITIVES_TO_CORRECT) continue;
      // Only a group outside the band is corrected (to parity); one inside it keeps what it has.
      const ratio = start.rest > 0 ? start.group / start.rest : start.group > 0 ? Number.POSITIVE_INFINITY : 1;
      const had = offsets.some((o) => o.feature === feature);
      if (!had && ratio >= PARITY_BAND[0] && ratio <= PARITY_BAND[1]) continue;
      // Recall of the group rises with its offset: bisect the gap to the rest's recall.
      const gap = (logit: number) => {
        const r = recallOf([...others, { feature, value, logit }], c, value);
        return r.group - r.rest;
      };
      let lo = -MAX_OFFSET;
      let hi = MAX_OFFSET;
      let best = offsets.find((o) => o.feature === feature)?.logit ?? 0;
      if (Math.abs(gap(best)) > 0.01) {
        for (let k = 0; k < 12; k++) {
          const mid = (lo + hi) / 2;
          if (gap(mid) < 0) lo = mid;
          else hi = mid;
        }
        best = (lo + hi) / 2;
      }
      offsets.splice(0, offsets.length, ...others, ...(Math.abs(best) > 1e-3 ? [{ feature, value, logit: round2(best) }] : []));
    }
  }
  return offsets;
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/**
 * Judged groups that fail (outside the band, their interval excluding parity): what a mitigation is
 * chosen to remove. Point estimates alone would chase noise: on OULAD a validation block's 2.3 for a
 * group of a few dozen students who left traded 0.024 of test AUC for nothing.
 */
export function failing(a: FairnessAudit): number {
  return a.groups.filter((g) => !g.intersection && g.fails).length;
}

/** Judged groups whose recall (a point estimate) lies outside the band: reported beside. */
export function outsideBand(a: FairnessAudit): number {
  return a.groups.filter((g) => !g.intersection && !g.too_few_positives && !g.reference && g.outside_band).length;
}

/** The judged group furthest from parity, as a ratio ≥ 1 either way (1 = all at parity). */
export function worstDisparity(a: FairnessAudit): number {
  let worst = 1;
  for (const g of a.groups) {
    if (g.intersection || g.too_few_positives || g.reference || Number.isNaN(g.recall_disparity)) continue;
    worst = Math.max(worst, g.recall_disparity, g.recall_disparity > 0 ? 1 / g.recall_disparity : Number.POSITIVE_INFINITY);
  }
  return worst;
}
