import { describe, expect, it } from 'vitest';
import { applyPlatt, atTop, auc, brier, fitPlatt, prAuc, reliability } from '../../src/model/index.js';
import { Random } from '../../src/generate/index.js';

describe('metrics', () => {
  it('gives AUC 1 for a perfect ranking, 0 for a reversed one, 0.5 for all ties', () => {
    expect(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
  });

  it('counts AUC as the share of positive–negative pairs ranked right', () => {
    // pairs: (p=.7 vs .2 ✓, .7 vs .9 ✗, .4 vs .2 ✓, .4 vs .9 ✗) → 2/4
    expect(auc([0.2, 0.7, 0.4, 0.9], [0, 1, 1, 0])).toBe(0.5);
  });

  it('computes average precision step by step', () => {
    // ranked: 1 (hit) → P=1; 0; 1 (hit) → P=2/3. AP = (1 + 2/3) / 2
    expect(prAuc([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0])).toBeCloseTo((1 + 2 / 3) / 2);
  });

  it('computes the Brier score and precision and recall at the top', () => {
    expect(brier([1, 0, 0.5], [1, 0, 1])).toBeCloseTo(0.25 / 3);
    const s = Array.from({ length: 20 }, (_, i) => i);
    const y = s.map((i) => (i >= 18 || i === 3 ? 1 : 0));
    expect(atTop(s, y, 0.1)).toEqual({ precision: 1, recall: 2 / 3, k: 2 });
  });

  it('finds a well-calibrated score well calibrated, and an inflated one not', () => {
    const r = new Random(1);
    const p = Array.from({ length: 20_000 }, () => r.next() * 0.3);
    const y = p.map((q) => (r.chance(q) ? 1 : 0));
    expect(reliability(p, y).ece).toBeLessThan(0.01);
    expect(reliability(p.map((q) => Math.min(1, q * 2)), y).ece).toBeGreaterThan(0.1);
  });
});

describe('Platt scaling', () => {
  it('recovers the slope and intercept that generated the labels', () => {
    const r = new Random(2);
    const z = Array.from({ length: 40_000 }, () => r.normal(0, 2));
    const y = z.map((v) => (r.chance(1 / (1 + Math.exp(-(0.5 * v - 2)))) ? 1 : 0));
    const c = fitPlatt(z, y);
    expect(c.a).toBeCloseTo(0.5, 1);
    expect(c.b).toBeCloseTo(-2, 1);
    expect(applyPlatt(c, 4)).toBeCloseTo(0.5, 1);
  });
});
