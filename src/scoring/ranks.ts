/**
 * Rank within each group, riskiest first. Ties are explicit: equal risks share the better
 * rank and the next rank skips (1, 2, 2, 4), so no one is placed above an equal by accident
 * of order.
 */
export function ranksWithin(group: ArrayLike<number>, risk: ArrayLike<number>): Int32Array {
  const n = risk.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => group[a] - group[b] || risk[b] - risk[a] || a - b);
  const rank = new Int32Array(n);
  let groupStart = 0; // where the current group begins in idx: no walking back to find it
  for (let k = 0; k < n; k++) {
    const i = idx[k];
    if (k > 0 && group[idx[k - 1]] === group[i]) {
      const prev = idx[k - 1];
      rank[i] = risk[prev] === risk[i] ? rank[prev] : k - groupStart + 1;
    } else {
      groupStart = k;
      rank[i] = 1;
    }
  }
  return rank;
}
