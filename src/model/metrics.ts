/** Ranking and probability metrics for a binary label; `score` higher = riskier. */

/** Area under the ROC curve (Mann–Whitney, ties counted half). NaN without both classes. */
export function auc(score: ArrayLike<number>, y: ArrayLike<number>): number {
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
export function prAuc(score: ArrayLike<number>, y: ArrayLike<number>): number {
  const idx = order(score).reverse();
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i];
  if (pos === 0) return Number.NaN;
  let tp = 0;
  let ap = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    let hits = 0;
    while (j < idx.length && score[idx[j]] === score[idx[i]]) hits += y[idx[j++]];
    tp += hits;
    ap += (hits / pos) * (tp / j);
    i = j;
  }
  return ap;
}

export function brier(prob: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (prob[i] - y[i]) ** 2;
  return s / y.length;
}

/** Precision and recall among the top `share` of scores (ties broken by order given). */
export function atTop(score: ArrayLike<number>, y: ArrayLike<number>, share: number): { precision: number; recall: number; k: number } {
  const idx = order(score).reverse();
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
  const idx = order(prob);
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

/** Indices sorted by ascending score; stable, so equal scores keep their order. */
function order(score: ArrayLike<number>): number[] {
  const idx = Array.from({ length: score.length }, (_, i) => i);
  return idx.sort((a, b) => score[a] - score[b] || a - b);
}
