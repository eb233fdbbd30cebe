import { describe, expect, it } from 'vitest';
import { Random } from '../../src/generate/index.js';
import { binCounts, psi, PSI_ALERT, referenceOf } from '../../src/model/index.js';

describe('population stability', () => {
  const r = new Random(3);
  const base = Array.from({ length: 20_000 }, () => r.normal());
  const ref = referenceOf(base);

  it('should find no shift in a fresh draw of the same population', () => {
    const same = Array.from({ length: 5_000 }, () => r.normal());
    expect(psi(ref, binCounts(same, ref.edges))).toBeLessThan(0.02);
  });

  it('should flag a feature whose distribution moved', () => {
    const shifted = Array.from({ length: 5_000 }, () => r.normal(0.8, 1));
    expect(psi(ref, binCounts(shifted, ref.edges))).toBeGreaterThan(PSI_ALERT);
  });

  it('should cope with a feature that is mostly zeros', () => {
    const zeros = referenceOf(Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 1 : 0)));
    expect(zeros.edges).toEqual([0, 1]);
    expect(psi(zeros, binCounts([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], zeros.edges))).toBeLessThan(0.01);
    expect(psi(zeros, binCounts([1, 1, 1, 1, 1, 0, 0, 0, 0, 0], zeros.edges))).toBeGreaterThan(PSI_ALERT);
  });
});
