/**
 * What the model saw in training, kept to compare each week against: per feature, the edges of
 * its deciles and the share of training rows in each bin. The population stability index (PSI)
 * over those bins says how far this week's students have moved from them.
 */
export interface Reference {
  /** Upper edges of the bins; the last bin is open above. */
  edges: number[];
  shares: number[];
}

export function referenceOf(values: ArrayLike<number>, bins = 10): Reference {
  const sorted = Float64Array.from(values).sort();
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) {
    const e = sorted[Math.floor((b * sorted.length) / bins)];
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  return { edges, shares: binShares(values, edges) };
}

export function binCounts(values: ArrayLike<number>, edges: readonly number[], into = new Float64Array(edges.length + 1)): Float64Array {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let b = 0;
    while (b < edges.length && v > edges[b]) b++;
    into[b]++;
  }
  return into;
}

function binShares(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const c = binCounts(values, edges);
  return Array.from(c, (x) => x / Math.max(1, values.length));
}

/** PSI = Σ (actual − expected) · ln(actual / expected); 0.1 is a shift to watch, 0.25 a major one. */
export function psi(ref: Reference, counts: ArrayLike<number>): number {
  const total = Array.from(counts).reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let s = 0;
  for (let b = 0; b < ref.shares.length; b++) {
    const e = Math.max(ref.shares[b], 1e-4);
    const a = Math.max(counts[b] / total, 1e-4);
    s += (a - e) * Math.log(a / e);
  }
  return s;
}

export const PSI_ALERT = 0.25;
