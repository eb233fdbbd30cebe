import { mkdir } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFeatures, FEATURE_NAMES, prepare, type Prepared } from '../../src/features/index.js';
import { CIRCUMSTANCE_FEATURES, loadModel, scoreMatrix, trainModel, type LoadedModel } from '../../src/model/index.js';
import { reweighing } from '../../src/model/mitigation.js';
import { loadDistrict } from '../../src/sources/index.js';
import { FAR_TODAY, tempDir } from '../helpers/folder.js';
import { writePlantedDistrict } from '../helpers/planted.js';

async function planted(dir: string, o: Parameters<typeof writePlantedDistrict>[1]) {
  await mkdir(dir, { recursive: true });
  const { asOf } = await writePlantedDistrict(dir, o);
  const { district } = await loadDistrict(dir, { today: FAR_TODAY });
  return { p: prepare(district), asOf };
}

describe('the feature policy and the fairness mitigations', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let models: string;
  let skewed: { p: Prepared; asOf: number };
  let behaviour: LoadedModel;
  let all: LoadedModel;
  let offsets: LoadedModel;

  beforeAll(async () => {
    t = await tempDir();
    models = join(t.dir, 'models');
    // Rural students leave as often as urban ones, but nothing the files hold announces it.
    skewed = await planted(join(t.dir, 'skewed'), { seed: 5, students: 6000, ruralUnseen: true });
    const train = async (o: Partial<Parameters<typeof trainModel>[1]>) =>
      loadModel((await trainModel(skewed.p, { asOf: skewed.asOf, horizonDays: 28, seed: 2, kinds: ['logistic'], dir: models, ...o })).meta.id, models);
    behaviour = await train({});
    all = await train({ policy: 'all', mitigation: 'none' });
    offsets = await train({ mitigation: 'group_offsets' });
  });
  afterAll(() => t.cleanup());

  it('should leave circumstances out by default, and say so and what it cost', async () => {
    for (const f of CIRCUMSTANCE_FEATURES) expect(behaviour.meta.features).not.toContain(f);
    expect(behaviour.meta.left_out!.filter((l) => l.reason.includes('behaviour policy')).map((l) => l.feature)).toEqual(
      expect.arrayContaining(['rural_hukou', 'boarding']),
    );
    const p = behaviour.meta.policy!;
    expect(p.name).toBe('behaviour');
    expect(p.auc).toBeCloseTo(behaviour.meta.metrics.test.auc, 10);
    expect(p.auc_cost).toBeCloseTo(p.auc_with_circumstances! - p.auc, 10);
    const card = await readFile(join(models, behaviour.meta.id, 'MODEL_CARD.md'), 'utf8');
    expect(card).toContain('## Feature policy');
    expect(card).toMatch(/the policy (cost|gained) \d\.\d{3} of AUC/);
  });

  it('should let a model trained under the all policy learn from hukou, which here tells who leaves unannounced', () => {
    expect(all.meta.features).toContain('rural_hukou');
    expect(all.meta.policy!.name).toBe('all');
    // The known answer: rural students leave as often with no event on file, so hukou raises risk.
    const m = buildFeatures(skewed.p, skewed.asOf);
    const { risk } = scoreMatrix(all, m);
    const rural = FEATURE_NAMES.indexOf('rural_hukou');
    const mean = (v: number) => {
      let s = 0;
      let n = 0;
      for (let r = 0; r < m.rows; r++)
        if (m.values[r * m.width + rural] === v && m.values[r * m.width + FEATURE_NAMES.indexOf('family_event_load')] === 0) (s += risk[r]), n++;
      return s / n;
    };
    expect(mean(1)).toBeGreaterThan(mean(0) * 1.5);
  });

  it('should set group offsets that move the list toward the group it misses, and score with them', () => {
    expect(offsets.meta.mitigation!.chosen).toBe('group_offsets');
    const o = offsets.meta.offsets!;
    expect(o.length).toBeGreaterThan(0);
    // Urban dropouts are the ones found: their offset is down (or rural's up).
    const hukou = o.find((x) => x.feature === 'rural_hukou')!;
    expect(hukou.value === 0 ? hukou.logit : -hukou.logit).toBeLessThan(0);
    // Scoring applies it: the same rows without the offsets rank urban students higher.
    const m = buildFeatures(skewed.p, skewed.asOf);
    const withOffsets = scoreMatrix(offsets, m).logit;
    const without = scoreMatrix({ ...offsets, offsets: undefined }, m).logit;
    const col = FEATURE_NAMES.indexOf('rural_hukou');
    for (let r = 0; r < m.rows; r += 97) {
      const shift = m.values[r * m.width + col] === hukou.value ? hukou.logit : 0;
      expect(withOffsets[r] - without[r]).toBeCloseTo(shift, 9);
    }
  });

  it('should choose by validation among every option tried, and record each on validation and test', () => {
    const m = behaviour.meta.mitigation!;
    expect(new Set(m.tried.map((x) => x.mitigation))).toEqual(new Set(['none', 'reweigh', 'group_offsets']));
    const chosen = m.tried.filter((x) => x.chosen);
    expect(chosen).toHaveLength(1);
    expect(chosen[0].val_failing).toBe(Math.min(...m.tried.map((x) => x.val_failing)));
    for (const x of m.tried) expect(Number.isFinite(x.test_auc)).toBe(true);
    expect(behaviour.meta.mitigation!.chosen).toBe(chosen[0].mitigation);
  });
});

describe('reweighing (Kamiran & Calders)', () => {
  it('should weight rows so that every cell of the attributes has the overall dropout share, with weights of mean 1', () => {
    const width = FEATURE_NAMES.length;
    const n = 2000;
    const x = new Float32Array(n * width);
    const y = new Uint8Array(n);
    const rural = FEATURE_NAMES.indexOf('rural_hukou');
    const left = FEATURE_NAMES.indexOf('left_behind');
    for (let i = 0; i < n; i++) {
      x[i * width + rural] = i % 2;
      x[i * width + left] = i % 5 === 0 ? 1 : 0;
      // Rural rows leave twice as often (every cell holds both labels).
      y[i] = (i % 2 === 1 ? i % 8 === 1 : i % 16 === 0) ? 1 : 0;
    }
    const e = { width, x, y, asOf: new Int32Array(n), student: Int32Array.from({ length: n }, (_, i) => i), length: n };
    const w = reweighing(e);
    expect(w.reduce((a, b) => a + b, 0) / n).toBeCloseTo(1, 10);
    const overall = y.reduce((a, b) => a + b, 0) / n;
    for (const cell of [0, 1]) {
      let pos = 0;
      let all = 0;
      for (let i = 0; i < n; i++) {
        if (x[i * width + rural] !== cell) continue;
        all += w[i];
        pos += w[i] * y[i];
      }
      expect(pos / all).toBeCloseTo(overall, 10);
    }
  });
});
