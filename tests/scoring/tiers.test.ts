import { describe, expect, it } from 'vitest';
import { Random } from '../../src/generate/index.js';
import { assignTiers, changeSince, ranksWithin } from '../../src/scoring/index.js';

describe('ranks', () => {
  it('ranks riskiest first within each group, equal risks sharing a rank', () => {
    const group = [0, 0, 0, 0, 1, 1];
    const risk = [0.1, 0.5, 0.5, 0.2, 0.3, 0.9];
    expect(Array.from(ranksWithin(group, risk))).toEqual([4, 1, 1, 3, 2, 1]);
  });

  it('gives each student 1 + the number in its group with a strictly higher risk, in large mixed groups', () => {
    const r = new Random(9);
    const n = 3000;
    const group = Array.from({ length: n }, () => r.int(0, 6));
    const risk = Array.from({ length: n }, () => r.int(0, 40) / 40); // many ties
    const byGroup = new Map<number, number[]>();
    group.forEach((g, i) => (byGroup.get(g) ?? byGroup.set(g, []).get(g)!).push(risk[i]));
    const expected = risk.map((x, i) => 1 + byGroup.get(group[i])!.filter((y) => y > x).length);
    expect(Array.from(ranksWithin(group, risk))).toEqual(expected);
  });
});

describe('tiers', () => {
  it('puts at most k of a class on high, and only above the floor', () => {
    const rank = [1, 2, 3, 4, 5, 1];
    const risk = [0.4, 0.3, 0.2, 0.15, 0.03, 0.01];
    expect(assignTiers(rank, risk, { highPerClass: 3, highFloor: 0.05, mediumPerClass: 1, mediumFloor: 0.02 })).toEqual([
      'high',
      'high',
      'high',
      'medium',
      'low',
      'low',
    ]);
  });

  it('gives a quiet class no high tier at all', () => {
    expect(assignTiers([1, 2], [0.01, 0.005])).toEqual(['low', 'low']);
  });
});

describe('what changed since last week', () => {
  it('says new, risen, fallen or same', () => {
    expect(changeSince('high', null, 0.3, null)).toBe('new');
    expect(changeSince('medium', 'low', 0.03, 0.01)).toBe('new');
    expect(changeSince('high', 'medium', 0.3, 0.04)).toBe('risen');
    expect(changeSince('medium', 'high', 0.04, 0.3)).toBe('fallen');
    expect(changeSince('high', 'high', 0.4, 0.2)).toBe('risen');
    expect(changeSince('high', 'high', 0.21, 0.2)).toBe('same');
  });
});
