import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOuladDistrict } from '../../bench/real/oulad.js';
import { parseDay } from '../../src/dates/index.js';
import { prepare } from '../../src/features/index.js';
import { trainModel, type TrainResult } from '../../src/model/index.js';
import { loadDistrict } from '../../src/sources/index.js';
import { FAR_TODAY, tempDir } from '../helpers/folder.js';

// The real dataset, beside the repository (../shared/data/oulad), as CI lays it out.
const OULAD = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'oulad');

describe('when ews trains on a slice of a real dataset (OULAD: no attendance, real withdrawals)', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let result: TrainResult;
  let rejected: number;

  beforeAll(async () => {
    t = await tempDir();
    await writeOuladDistrict(OULAD, join(t.dir, 'data'), { modules: ['BBB', 'GGG'], every: 2 });
    const { district, report } = await loadDistrict(join(t.dir, 'data'), { today: FAR_TODAY });
    rejected = Object.values(report.files).reduce((a, f) => a + f.rows_rejected, 0);
    result = await trainModel(prepare(district), { asOf: parseDay('2014-12-01'), horizonDays: 90, seed: 1, dir: join(t.dir, 'models') });
  }, 240_000);
  afterAll(() => t.cleanup());

  it('should read every row the adapter wrote', () => {
    expect(rejected).toBe(0);
  });

  it('should rank real withdrawals better than chance and than the school rate', () => {
    const m = result.meta.metrics;
    expect(m.test.positives).toBeGreaterThan(100);
    expect(m.test.auc).toBeGreaterThan(0.65);
    expect(m.test.auc).toBeGreaterThan(m.baselines.school_rate.auc);
    for (const v of [m.test.auc, m.test.pr_auc, m.test.brier, m.reliability.ece]) expect(Number.isFinite(v)).toBe(true);
  });

  it('should leave out what the district does not record, and say why', () => {
    const out = new Map(result.meta.left_out!.map((l) => [l.feature, l.reason]));
    for (const f of ['att_unexcused_rate_4w', 'att_unexcused_streak', 'meal_spend_z', 'family_event_load']) expect(out.get(f)).toMatch(/constant/);
    expect(result.meta.features).toContain('grade_days_since_sat');
    expect(result.meta.features).not.toContain('att_unexcused_rate_4w');
  });
});
