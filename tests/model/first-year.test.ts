import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay } from '../../src/dates/index.js';
import { buildFeatures, prepare, type Prepared } from '../../src/features/index.js';
import { generateDistrict } from '../../src/generate/index.js';
import { attributions, loadModel, RULES_MODEL_ID, scoreMatrix, trainModel } from '../../src/model/index.js';
import { assignTiers } from '../../src/scoring/tiers.js';
import { ranksWithin } from '../../src/scoring/ranks.js';
import { loadDistrict } from '../../src/sources/index.js';
import { FAR_TODAY, tempDir } from '../helpers/folder.js';

describe('when a district has no dropout history yet (a first year)', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let p: Prepared;
  const asOf = parseDay('2026-01-05');

  beforeAll(async () => {
    t = await tempDir();
    await generateDistrict({ out: t.dir, students: 900, weeks: 18, seed: 12 });
    await writeFile(join(t.dir, 'outcomes.csv'), 'student_id,date,outcome\n');
    const { district } = await loadDistrict(t.dir, { today: FAR_TODAY });
    p = prepare(district);
  });
  afterAll(() => t.cleanup());

  it('should refuse to train, register nothing, and point to the rules', async () => {
    const models = join(t.dir, 'models');
    await expect(trainModel(p, { asOf, horizonDays: 28, dir: models, kinds: ['logistic'] })).rejects.toThrow(
      /the train block \(\d{4}-\d\d-\d\d … \d{4}-\d\d-\d\d, \d+ examples, 0 dropouts\) has no dropout on record: .*ews run --model rules/,
    );
  });

  it('should score by the rules: the longest unexcused streaks on the high tier, with that as the reason', async () => {
    const rules = await loadModel(RULES_MODEL_ID);
    const m = buildFeatures(p, asOf);
    const { risk } = scoreMatrix(rules, m);
    const streak = (r: number) => m.get(r, 'att_unexcused_streak');
    const worst = Array.from(risk.keys()).reduce((a, b) => (streak(b) > streak(a) ? b : a));
    expect(streak(worst)).toBeGreaterThanOrEqual(3);
    const tier = assignTiers(
      ranksWithin(
        Int32Array.from(m.students, (s) => p.district.roster.classOf[s]),
        risk,
      ),
      risk,
    );
    expect(tier[worst]).toBe('high');
    const a = attributions(rules, m, worst);
    const top = rules.features[a.indexOf(Math.max(...a))];
    expect(top.startsWith('att_')).toBe(true);
    // A student with nothing on record stays low.
    const quiet = Array.from(risk.keys()).find(
      (r) => m.get(r, 'att_unexcused_rate_4w') === 0 && m.get(r, 'family_event_load') === 0 && m.get(r, 'grade_failing_subjects') === 0,
    );
    expect(quiet).toBeDefined();
    expect(tier[quiet!]).toBe('low');
  });
});
