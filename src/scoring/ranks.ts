/**
 * Rank within each group, riskiest first. Ties are explicit: equal risks share the better
 * rank and the next rank skips (1, 2, 2, 4), so no one is placed above an equal by accident
 * of order.
 */
export function ranksWithin(group: ArrayLike<number>, risk: ArrayLike<number>): Int32Array {
  const n = risk.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => group[a] - group[b] || risk[b] - risk[a] || a - b);
  const rank = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = idx[k];
    if (k > 0 && group[idx[k - 1]] === group[i]) {
      const prev = idx[k - 1];
      rank[i] = risk[prev] === risk[i] ? rank[prev] : positionInGroup(k, idx, group) + 1;
    } else {
      rank[i] = 1;
    }
  }
  return rank;
}

function positionInGroup(k: number, idx: number[], group: ArrayLike<number>): number {
  let start = k;
  while (start > 0 && group[idx[start - 1]] === group[idx[k]]) start--;
  return k - start;
}
