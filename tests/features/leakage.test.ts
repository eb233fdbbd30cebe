import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay } from '../../src/dates/index.js';
import { buildFeatures, prepare } from '../../src/features/index.js';
import { scoreMatrix, trainModel, type ScoringModel } from '../../src/model/index.js';
import { generateDistrict } from '../../src/generate/index.js';
import { loadDistrict, type District } from '../../src/sources/index.js';
import { FAR_TODAY, tempDir } from '../helpers/folder.js';
import { truncateAt } from '../helpers/truncate.js';

describe('when rows dated after the as-of date are added', () => {
  let district: District;
  let model: ScoringModel;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    await generateDistrict({ out: join(t.dir, 'data'), students: 1200, weeks: 40, seed: 21 });
    ({ district } = await loadDistrict(join(t.dir, 'data'), { today: FAR_TODAY }));
    const trained = await trainModel(prepare(district), {
      asOf: parseDay('2026-06-01'),
      horizonDays: 56,
      kinds: ['logistic'],
      dir: join(t.dir, 'models'),
    });
    model = trained.model;
  });
  afterAll(() => cleanup());

  it('changes no feature, no detail, no cohort and no score as of that date', () => {
    const full = prepare(district);
    const first = parseDay('2025-09-08');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 270 }), (offset) => {
        const asOf = first + offset;
        const a = buildFeatures(full, asOf);
        const b = buildFeatures(prepare(truncateAt(district, asOf)), asOf);
        expect(Array.from(b.students)).toEqual(Array.from(a.students));
        expect(b.values).toEqual(a.values);
        expect(b.details).toEqual(a.details);
        expect(scoreMatrix(model, b)).toEqual(scoreMatrix(model, a));
      }),
      { numRuns: 12, seed: 4 },
    );
  });

  it('does see those rows once the as-of date reaches them', () => {
    const asOf = parseDay('2026-03-30');
    const early = buildFeatures(prepare(truncateAt(district, asOf - 28)), asOf);
    const full = buildFeatures(prepare(district), asOf);
    expect(full.values).not.toEqual(early.values);
  });
});
