import { describe, expect, it } from 'vitest';
import { judgeGroups, type GroupCounts } from '../../src/model/index.js';

const group = (value: string, n: number, pos: number, tp: number): GroupCounts => ({ value, n, pos, flagged: tp + 3, tp, fp: 3 });

describe('when the fairness audit judges a group', () => {
  it('should fail a group with enough dropouts when the reference found none (seen: female 0.125, male 0)', () => {
    const [male, female] = judgeGroups('gender', [group('M', 1000, 9, 0), group('F', 900, 8, 1)]);
    expect(male.reference).toBe(true);
    expect(female.recall).toBe(0.125);
    expect(female.recall_disparity).toBe(Infinity);
    expect(female.undetermined).toBe(true);
    expect(female.outside_band).toBe(true);
    expect(female.fails).toBe(true);
  });

  it('should fail a group when the reference has too few dropouts to compare with', () => {
    const [, other] = judgeGroups('rural_hukou', [group('0', 1000, 2, 1), group('1', 900, 12, 6)]);
    expect(other.undetermined).toBe(true);
    expect(other.outside_band).toBe(true);
    expect(other.fails).toBe(true);
  });

  it('should leave a group with too few dropouts unjudged, and pass one inside the band', () => {
    const rows = judgeGroups('disability', [group('0', 1000, 20, 10), group('1', 60, 3, 0), group('unknown', 50, 10, 5)]);
    expect(rows[1]).toMatchObject({ too_few_positives: true, outside_band: false, undetermined: false });
    expect(rows[2]).toMatchObject({ recall_disparity: 1, outside_band: false, undetermined: false });
  });

  it('should fail a group outside the band', () => {
    const [, urban] = judgeGroups('rural_hukou', [group('1', 1000, 60, 30), group('0', 500, 30, 6)]);
    expect(urban.recall_disparity).toBeCloseTo(0.4);
    expect(urban.outside_band).toBe(true);
    expect(urban.recall_disparity_ci![1]).toBeLessThan(1);
    expect(urban.fails).toBe(true);
  });

  it('should mark, not fail, a group outside the band whose interval still holds parity (a few dropouts)', () => {
    // 0.73 on 34 dropouts: the bundled model's disabled students before #18.
    const [, few] = judgeGroups('disability', [group('0', 75_000, 690, 168), group('1', 1500, 34, 6)]);
    expect(few.recall_disparity).toBeLessThan(0.8);
    expect(few.outside_band).toBe(true);
    expect(few.recall_disparity_ci![0]).toBeLessThan(1);
    expect(few.recall_disparity_ci![1]).toBeGreaterThan(1);
    expect(few.fails).toBe(false);
    // The same ratio on ten times the dropouts is a verdict.
    const [, many] = judgeGroups('disability', [group('0', 750_000, 6900, 1680), group('1', 15_000, 340, 60)]);
    expect(many.recall_disparity).toBeCloseTo(few.recall_disparity, 2);
    expect(many.fails).toBe(true);
  });

  it('should weigh a group by its students who left, not by their weeks on the list', () => {
    // 40 dropout-weeks: from 40 students, or from 10 students each seen four weeks.
    const [, many] = judgeGroups('rural_hukou', [group('1', 10_000, 400, 200), group('0', 2000, 40, 12)]);
    const [, few] = judgeGroups('rural_hukou', [
      { ...group('1', 10_000, 400, 200), leavers: 100 },
      { ...group('0', 2000, 40, 12), leavers: 10 },
    ]);
    expect(few.recall_disparity).toBe(many.recall_disparity);
    expect(few.leavers).toBe(10);
    const width = (g: typeof few) => g.recall_disparity_ci![1] - g.recall_disparity_ci![0];
    expect(width(few)).toBeGreaterThan(1.5 * width(many));
    // Four students who left, however many weeks they were on the roll, are too few to judge.
    const [, four] = judgeGroups('disability', [group('0', 10_000, 400, 200), { ...group('1', 300, 20, 2), leavers: 4 }]);
    expect(four.too_few_positives).toBe(true);
    expect(four.fails).toBe(false);
  });

  it('should give each judged disparity a bootstrap interval around it, narrower with more dropouts, and none where too few', () => {
    const [, small] = judgeGroups('rural_hukou', [group('1', 1000, 20, 10), group('0', 500, 10, 4)]);
    const [, large] = judgeGroups('rural_hukou', [group('1', 10_000, 2000, 1000), group('0', 5000, 1000, 400)]);
    for (const g of [small, large]) {
      const [lo, hi] = g.recall_disparity_ci!;
      expect(lo).toBeLessThan(g.recall_disparity);
      expect(hi).toBeGreaterThan(g.recall_disparity);
    }
    const width = (g: typeof small) => g.recall_disparity_ci![1] - g.recall_disparity_ci![0];
    expect(width(large)).toBeLessThan(width(small) / 3);
    expect(large.recall_disparity_ci![1]).toBeLessThan(1); // 0.8 ± a little: clearly below parity
    const [ref, few] = judgeGroups('disability', [group('0', 1000, 20, 10), group('1', 60, 3, 0)]);
    expect(ref.recall_disparity_ci).toBeNull();
    expect(few.recall_disparity_ci).toBeNull();
    // The same audit gives the same interval.
    expect(judgeGroups('rural_hukou', [group('1', 1000, 20, 10), group('0', 500, 10, 4)])[1].recall_disparity_ci).toEqual(small.recall_disparity_ci);
  });
});
