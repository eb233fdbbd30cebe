/**
 * Ranking and probability metrics for a binary label; `score` higher = riskier. Every metric is
 * total: a NaN score ranks below every number (a model that cannot say is not taken as sure),
 * ±Infinity rank as the extremes they are, and each loop advances on every step, so no input
 * can make one spin.
 */

/** Area under the ROC curve (Mann–Whitney, ties counted half). NaN without both classes. */
export function auc(rawScore: ArrayLike<number>, y: ArrayLike<number>): number {
  const score = rankable(rawScore);
  const idx = order(score);
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i];
  const neg = y.length - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  let rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && score[idx[j + 1]] === score[idx[i]]) j++;
    const rank = (i + j) / 2 + 1; // ascending rank, ties averaged
    for (let k = i; k <= j; k++) if (y[idx[k]]) rankSum += rank;
    i = j + 1;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Average precision (area under the precision–recall curve, step-wise; ties as one step). */
export function prAuc(rawScore: ArrayLike<number>, y: ArrayLike<number>): number {
  const score = rankable(rawScore);
  const idx = order(score).reverse();
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i];
  if (pos === 0) return Number.NaN;
  let tp = 0;
  let ap = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    let hits = 0;
    // j moves at least once: score[idx[i]] equals itself (rankable has no NaN).
    do hits += y[idx[j++]];
    while (j < idx.length && score[idx[j]] === score[idx[i]]);
    tp += hits;
    ap += (hits / pos) * (tp / j);
    i = j;
  }
  return ap;
}

export function brier(prob: ArrayLike<number>, y: ArrayLike<number>): number {
  if (y.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (prob[i] - y[i]) ** 2;
  return s / y.length;
}

/** Precision and recall among the top `share` of scores (ties broken by order given). */
export function atTop(score: ArrayLike<number>, y: ArrayLike<number>, share: number): { precision: number; recall: number; k: number } {
  const idx = order(rankable(score)).reverse();
  if (idx.length === 0) return { precision: Number.NaN, recall: Number.NaN, k: 0 };
  const k = Math.max(1, Math.round(idx.length * share));
  let tp = 0;
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i];
  for (let i = 0; i < k; i++) tp += y[idx[i]];
  return { precision: tp / k, recall: pos > 0 ? tp / pos : Number.NaN, k };
}

export interface ReliabilityBin {
  bin: number;
  n: number;
  mean_predicted: number;
  observed: number;
}

/** Reliability by decile of predicted risk, and the expected calibration error over them. */
export function reliability(prob: ArrayLike<number>, y: ArrayLike<number>, bins = 10): { bins: ReliabilityBin[]; ece: number } {
  const idx = order(rankable(prob));
  if (idx.length === 0) return { bins: [], ece: Number.NaN };
  const out: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const lo = Math.floor((b * idx.length) / bins);
    const hi = Math.floor(((b + 1) * idx.length) / bins);
    if (hi <= lo) continue;
    let p = 0;
    let o = 0;
    for (let k = lo; k < hi; k++) {
      p += prob[idx[k]];
      o += y[idx[k]];
    }
    const n = hi - lo;
    out.push({ bin: b + 1, n, mean_predicted: p / n, observed: o / n });
    ece += (n / idx.length) * Math.abs(p / n - o / n);
  }
  return { bins: out, ece };
}

export interface Metrics {
  auc: number;
  pr_auc: number;
  brier: number;
  precision_at_10pct: number;
  recall_at_10pct: number;
  n: number;
  positives: number;
}

export function summarise(prob: ArrayLike<number>, y: ArrayLike<number>): Metrics {
  const top = atTop(prob, y, 0.1);
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i];
  return {
    auc: auc(prob, y),
    pr_auc: prAuc(prob, y),
    brier: brier(prob, y),
    precision_at_10pct: top.precision,
    recall_at_10pct: top.recall,
    n: y.length,
    positives,
  };
}

/** Scores with NaN put below every number, so that comparisons and ties are well defined. */
function rankable(score: ArrayLike<number>): Float64Array {
  const out = new Float64Array(score.length);
  for (let i = 0; i < score.length; i++) out[i] = Number.isNaN(score[i]) ? Number.NEGATIVE_INFINITY : score[i];
  return out;
}

/** Indices sorted by ascending score (no NaN); stable, so equal scores keep their order. */
function order(score: Float64Array): number[] {
  const idx = Array.from({ length: score.length }, (_, i) => i);
  return idx.sort((a, b) => (score[a] < score[b] ? -1 : score[a] > score[b] ? 1 : a - b));
}
