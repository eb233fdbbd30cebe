import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFeatures, prepare, type Prepared } from '../../src/features/index.js';
import { dropoutLabels, evaluateLive, type StoredList } from '../../src/model/index.js';
import { loadDistrict } from '../../src/sources/index.js';
import { FAR_TODAY, tempDir } from '../helpers/folder.js';
import { PLANTED_START, writePlantedDistrict } from '../helpers/planted.js';

const H = 28;

describe('the lists as they went out, judged by what then happened', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let p: Prepared;
  let last: number;
  const weeks = Array.from({ length: 8 }, (_, k) => PLANTED_START + 7 * (8 + k));
  // A list from each week's roll: `pick` says who is on the high tier.
  const lists = (pick: (y: number, s: number) => boolean): StoredList[] =>
    weeks.map((asOf) => {
      const m = buildFeatures(p, asOf);
      const y = dropoutLabels(p.district, m.students, asOf, H);
      return {
        asOf,
        modelId: 'test',
        students: m.students,
        risk: Float64Array.from(y, (v) => (v ? 0.3 : 0.01)),
        listed: Uint8Array.from(y, (v, i) => (pick(v, m.students[i]) ? 1 : 0)),
      };
    });

  beforeAll(async () => {
    t = await tempDir();
    await mkdir(join(t.dir, 'd'), { recursive: true });
    ({ asOf: last } = await writePlantedDistrict(join(t.dir, 'd'), { seed: 5, students: 1600 }));
    p = prepare((await loadDistrict(join(t.dir, 'd'), { today: FAR_TODAY })).district);
  });
  afterAll(() => t.cleanup());

  it('should find every dropout with a list of exactly those who left, and say how early', () => {
    const r = evaluateLive(
      p,
      lists((y) => y === 1),
      H,
      last,
    );
    expect(r.weeks).toHaveLength(weeks.length);
    expect(r.pending).toEqual([]);
    expect(r.overall.dropouts).toBeGreaterThan(20);
    for (const w of r.weeks) {
      if (w.dropouts === 0) continue;
      expect(w.model).toMatchObject({ listed: w.dropouts, found: w.dropouts, precision: 1, recall: 1 });
      // The streak rule lists as many in each class, and here finds no more than the oracle.
      expect(w.rules.unexcused_streak.listed).toBe(w.dropouts);
      expect(w.rules.unexcused_streak.found).toBeLessThanOrEqual(w.dropouts);
    }
    expect(r.overall.auc).toBe(1);
    // Everyone who left while the lists ran was listed first within the horizon before leaving.
    expect(r.lead_time.model.share_listed_before).toBe(1);
    expect(r.lead_time.model.median_weeks).toBeGreaterThan(0);
    expect(r.lead_time.model.median_weeks).toBeLessThanOrEqual(H / 7);
    expect(r.fairness.passes).toBe(true);
    expect(r.by_school.reduce((a, s) => a + s.model.found, 0)).toBe(r.overall.model.found);
  });

  it('should find none with a list of those who stayed', () => {
    const r = evaluateLive(
      p,
      lists((y, s) => y === 0 && s % 50 === 0),
      H,
      last,
    );
    expect(r.overall.model.found).toBe(0);
    expect(r.overall.model.recall).toBe(0);
    expect(r.lead_time.model.listed_before).toBe(0);
  });

  it('should leave weeks whose horizon has not closed as pending, not judged', () => {
    const known = weeks[5] + H - 1;
    const r = evaluateLive(
      p,
      lists((y) => y === 1),
      H,
      known,
    );
    expect(r.weeks.map((w) => w.as_of)).toHaveLength(5);
    expect(r.pending).toHaveLength(3);
  });
});
