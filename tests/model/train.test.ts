import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFeatures, FEATURES, prepare, type Prepared } from '../../src/features/index.js';
import { parseDay } from '../../src/dates/index.js';
import { attributions, dropoutLabels, loadModel, scoreMatrix, summarise, trainModel, type TrainResult } from '../../src/model/index.js';
import { loadDistrict } from '../../src/sources/index.js';
import { FAR_TODAY, tempDir } from '../helpers/folder.js';
import { writePlantedDistrict } from '../helpers/planted.js';

describe('when one cause alone drives dropout', () => {
  let p: Prepared;
  let asOf: number;
  let result: TrainResult;
  let models: Awaited<ReturnType<typeof tempDir>>;
  let data: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    data = await tempDir();
    models = await tempDir();
    ({ asOf } = await writePlantedDistrict(data.dir));
    const { district } = await loadDistrict(data.dir, { today: FAR_TODAY });
    p = prepare(district);
    result = await trainModel(p, { asOf, horizonDays: 28, seed: 3, dir: models.dir });
  });
  afterAll(async () => {
    await data.cleanup();
    await models.cleanup();
  });

  it('learns to rank by that cause on the temporal hold-out', () => {
    expect(result.meta.metrics.test.positives).toBeGreaterThan(10);
    expect(result.meta.metrics.test.auc).toBeGreaterThan(0.85);
    // Attendance says nothing here until a student is gone, so ranking by it is near chance.
    expect(result.meta.metrics.baselines.unexcused_rate.auc).toBeLessThan(0.65);
  });

  it('names the family event as the strongest reason for the riskiest students', () => {
    const m = buildFeatures(p, asOf - 28);
    const { risk } = scoreMatrix(result.model, m);
    const top = Array.from(risk.keys())
      .sort((a, b) => risk[b] - risk[a])
      .slice(0, 15);
    const group = (name: string) => FEATURES.find((f) => f.name === name)!.group;
    const topReasons = top.map((row) => {
      const a = attributions(result.model, m, row);
      let best = 0;
      for (let k = 1; k < a.length; k++) if (a[k] > a[best]) best = k;
      return group(result.model.features[best]);
    });
    expect(topReasons.filter((g) => g === 'family').length).toBeGreaterThanOrEqual(13);
    // And those students are the ones the cause struck.
    const struck = top.filter((row) => m.get(row, 'family_event_load') > 0).length;
    expect(struck).toBeGreaterThanOrEqual(14);
  });

  it('keeps every label inside the training date and every split in time order', () => {
    const w = result.meta.window;
    const day = (s: string) => Date.parse(s) / 86_400_000;
    expect(day(w.test.at(-1)!) + 28).toBeLessThanOrEqual(asOf);
    expect(day(w.validation.at(-1)!)).toBeLessThan(day(w.test[0]));
    expect(day(w.train.at(-1)!)).toBeLessThan(day(w.validation[0]));
  });

  it('writes a model that scores the same once read back from the registry', async () => {
    const loaded = await loadModel(result.meta.id, models.dir);
    const m = buildFeatures(p, asOf);
    expect(scoreMatrix(loaded, m).risk).toEqual(scoreMatrix(result.model, m).risk);
    expect(loaded.meta.metrics.test).toEqual(result.meta.metrics.test);
  });

  it('measures on its test block exactly what scoring those students gives, for every kind', async () => {
    for (const kind of ['logistic', 'mlp', 'gbt'] as const) {
      const r = await trainModel(p, { asOf, horizonDays: 28, seed: 3, dir: models.dir, kinds: [kind] });
      const risk: number[] = [];
      const y: number[] = [];
      for (const d of r.meta.window.test) {
        const m = buildFeatures(p, parseDay(d));
        risk.push(...scoreMatrix(r.model, m).risk);
        y.push(...dropoutLabels(p.district, m.students, parseDay(d), 28));
      }
      expect(r.meta.kind).toBe(kind);
      expect(summarise(risk, y).auc).toBeCloseTo(r.meta.metrics.test.auc, 9);
      expect(summarise(risk, y).pr_auc).toBeCloseTo(r.meta.metrics.test.pr_auc, 9);
    }
  });

  it('weighs the blend of the logistic model and the trees as a candidate, and keeps whichever wins as it scored', async () => {
    const r = await trainModel(p, { asOf, horizonDays: 28, seed: 3, dir: models.dir, kinds: ['logistic', 'gbt'] });
    expect(Object.keys(r.meta.metrics.validation)).toEqual(['logistic', 'gbt', 'blend']);
    // The blend, unless another beat its validation AUC clearly.
    const v = r.meta.metrics.validation;
    if (r.meta.kind !== 'blend') expect(v[r.meta.kind].auc).toBeGreaterThan(v.blend.auc);
    const loaded = await loadModel(r.meta.id, models.dir);
    const m = buildFeatures(p, asOf);
    expect(scoreMatrix(loaded, m).risk).toEqual(scoreMatrix(r.model, m).risk);
  });

  it('trains the same model again from the same data and seed', async () => {
    const again = await trainModel(p, { asOf, horizonDays: 28, seed: 3, dir: models.dir });
    expect(again.meta.id).toBe(result.meta.id);
    expect(again.meta.metrics.test).toEqual(result.meta.metrics.test);
  });
});
