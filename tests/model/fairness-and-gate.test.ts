import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepare, type Prepared } from '../../src/features/index.js';
import { auditFairness, loadModel, promotionGate, trainModel, type LoadedModel } from '../../src/model/index.js';
import { loadDistrict } from '../../src/sources/index.js';
import { FAR_TODAY, tempDir } from '../helpers/folder.js';
import { writePlantedDistrict } from '../helpers/planted.js';

async function district(dir: string, o: Parameters<typeof writePlantedDistrict>[1]) {
  await mkdir(dir, { recursive: true });
  const { asOf } = await writePlantedDistrict(dir, o);
  const { district: d } = await loadDistrict(dir, { today: FAR_TODAY });
  return { p: prepare(d), asOf };
}

describe('the fairness audit and the promotion gate', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let fairP: Prepared;
  let good: LoadedModel;
  let unfair: LoadedModel;
  let blind: LoadedModel;

  beforeAll(async () => {
    t = await tempDir();
    const models = join(t.dir, 'models');
    const fair = await district(join(t.dir, 'fair'), { seed: 5, students: 6000 });
    fairP = fair.p;
    const train = async (p: Prepared, asOf: number) =>
      loadModel((await trainModel(p, { asOf, horizonDays: 28, seed: 2, kinds: ['logistic'], dir: models })).meta.id, models);
    good = await train(fair.p, fair.asOf);
    const skewed = await district(join(t.dir, 'skewed'), { seed: 5, students: 6000, ruralUnseen: true });
    unfair = await train(skewed.p, skewed.asOf);
    // A challenger that ranks no one: every weight zero, so every student gets the same risk.
    if (good.kind === 'gbt') throw new Error('trained a logistic model');
    blind = { ...good, net: good.net.map((l) => ({ ...l, kernel: new Float32Array(l.kernel.length) })) };
  });
  afterAll(() => t.cleanup());

  it('should find a planted disparity: rural dropouts the data never announces', () => {
    const rural = unfair.meta.fairness!.groups.filter((g) => g.attribute === 'rural_hukou');
    const ruralYes = rural.find((g) => g.value === '1')!;
    expect(ruralYes.positives).toBeGreaterThanOrEqual(5);
    expect(ruralYes.recall_disparity).toBeLessThan(0.8);
    expect(ruralYes.outside_band).toBe(true);
    expect(unfair.meta.fairness!.passes).toBe(false);
    // The interval says how sure: the planted gap lies wholly below parity. Intersections are reported beside, not gated.
    expect(ruralYes.recall_disparity_ci![1]).toBeLessThan(1);
    const crossed = unfair.meta.fairness!.groups.filter((g) => g.intersection);
    expect(new Set(crossed.map((g) => g.attribute))).toEqual(new Set(['rural_hukou×left_behind', 'gender×ethnic_minority']));
    expect(crossed.every((g) => !g.fails)).toBe(true);
    // The audit points at hukou, not elsewhere: no other group falls as far.
    const others = unfair.meta.fairness!.groups.filter((g) => g.attribute !== 'rural_hukou' && !g.intersection && !g.too_few_positives);
    expect(Math.min(...others.map((g) => g.recall_disparity))).toBeGreaterThan(ruralYes.recall_disparity + 0.2);
  });

  it('should not see that disparity where the data announces everyone alike', () => {
    const ruralYes = good.meta.fairness!.groups.find((g) => g.attribute === 'rural_hukou' && g.value === '1')!;
    expect(ruralYes.recall_disparity).toBeGreaterThan(0.8);
    expect(ruralYes.recall_disparity).toBeLessThan(1.25);
  });

  it('should refuse to register a model trained where nothing announces a dropout', async () => {
    const noise = await district(join(t.dir, 'noise'), { seed: 6, students: 2400, noSignal: true });
    const models = join(t.dir, 'noise-models');
    await expect(trainModel(noise.p, { asOf: noise.asOf, horizonDays: 28, seed: 2, kinds: ['logistic'], dir: models })).rejects.toThrow(
      /ranks no better than (the school's dropout rate on the test|chance on the validation) block \(\d{4}-\d\d-\d\d … \d{4}-\d\d-\d\d, \d+ examples, \d+ dropouts\)/,
    );
    expect(existsSync(models)).toBe(false);
  });

  it('should let a good model in where none is in use', () => {
    const gate = promotionGate(fairP, good, null);
    expect(gate.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
    expect(gate.passes).toBe(true);
  });

  it('should refuse a challenger that is worse than the model in use', () => {
    const gate = promotionGate(fairP, { ...blind, meta: { ...blind.meta, window: good.meta.window, horizon_days: good.meta.horizon_days } }, good);
    expect(gate.passes).toBe(false);
    expect(gate.checks.find((c) => c.name === 'pr_auc beats current')!.passed).toBe(false);
  });

  it('should refuse an unfair challenger even where it ranks well', () => {
    const gate = promotionGate(fairP, { ...unfair, meta: { ...unfair.meta, window: good.meta.window } }, null);
    expect(gate.checks.find((c) => c.name === 'fairness audit')!.passed).toBe(false);
    expect(gate.passes).toBe(false);
  });

  it('should audit at the list size in use', () => {
    const a = auditFairness(
      fairP,
      good,
      good.meta.window.test.map((d) => Date.parse(d) / 86_400_000),
      28,
      { highPerClass: 1 },
    );
    const b = auditFairness(
      fairP,
      good,
      good.meta.window.test.map((d) => Date.parse(d) / 86_400_000),
      28,
      { highPerClass: 5 },
    );
    const flagged = (x: typeof a) => x.groups.filter((g) => g.attribute === 'gender').reduce((s, g) => s + g.flagged, 0);
    expect(a.k).toBe(1);
    expect(flagged(a)).toBeLessThan(flagged(b));
  });
});
