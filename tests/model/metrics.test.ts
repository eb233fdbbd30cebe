import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
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
    expect(
      reliability(
        p.map((q) => Math.min(1, q * 2)),
        y,
      ).ece,
    ).toBeGreaterThan(0.1);
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

describe('when scores are NaN, infinite or all tied', () => {
  // Any double, NaN and ±Infinity included, with a label each.
  const scored = fc.array(fc.tuple(fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, 0)), fc.constantFrom(0, 1)), { maxLength: 60 });
  const key = (v: number) => (Number.isNaN(v) ? -Infinity : v);

  it('should give the pair-counting AUC, NaN ranked lowest', () => {
    fc.assert(
      fc.property(scored, (rows) => {
        const s = rows.map((r) => r[0]);
        const y = rows.map((r) => r[1]);
        let right = 0;
        let pairs = 0;
        for (let i = 0; i < s.length; i++) {
          for (let j = 0; j < s.length; j++) {
            if (y[i] !== 1 || y[j] !== 0) continue;
            pairs++;
            right += key(s[i]) > key(s[j]) ? 1 : key(s[i]) === key(s[j]) ? 0.5 : 0;
          }
        }
        const a = auc(s, y);
        if (pairs === 0) expect(a).toBeNaN();
        else expect(a).toBeCloseTo(right / pairs, 9);
      }),
    );
  });

  it('should end with every metric in its range', () => {
    fc.assert(
      fc.property(scored, (rows) => {
        const s = rows.map((r) => r[0]);
        const y = rows.map((r) => r[1]);
        const pos = y.reduce<number>((a, b) => a + b, 0);
        const ap = prAuc(s, y);
        if (pos === 0) expect(ap).toBeNaN();
        else expect(ap).toBeGreaterThan(0), expect(ap).toBeLessThanOrEqual(1 + 1e-12);
        const top = atTop(s, y, 0.1);
        if (s.length > 0) expect(top.precision).toBeGreaterThanOrEqual(0), expect(top.precision).toBeLessThanOrEqual(1);
        const probs = s.map((v) => (Number.isFinite(v) ? Math.abs(v) % 1 : 0.5));
        const rel = reliability(probs, y);
        if (s.length > 0) expect(rel.ece).toBeGreaterThanOrEqual(0), expect(rel.ece).toBeLessThanOrEqual(1);
        expect(rel.bins.reduce((a, b) => a + b.n, 0)).toBe(s.length);
      }),
    );
  });

  it('should rank all-NaN scores as ties, not loop', () => {
    const y = [1, 0, 1, 0, 0];
    expect(
      auc(
        y.map(() => Number.NaN),
        y,
      ),
    ).toBe(0.5);
    expect(
      prAuc(
        y.map(() => Number.NaN),
        y,
      ),
    ).toBeCloseTo(0.4);
  });
});
