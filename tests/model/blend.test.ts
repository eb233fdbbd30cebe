import { describe, expect, it } from 'vitest';
import { FeatureMatrix } from '../../src/features/index.js';
import { attributions, scoreMatrix, type ScoringModel } from '../../src/model/index.js';
import type { TreeEnsemble } from '../../src/model/trees.js';

// Two inputs; a linear part and one tree that splits on the second at 0.5.
const features = ['att_unexcused_rate_4w', 'grade_failing_subjects'];
const scaled = { features, standardiser: { mean: [0, 0], sd: [1, 1] }, calibration: { a: 1, b: 0 } };
const net = [{ inputs: 2, units: 1, kernel: Float32Array.of(2, 0.5), bias: Float32Array.of(-3), relu: false }];
const trees: TreeEnsemble = {
  base: -4,
  inputs: 2,
  trees: [{ feature: [1, -1, -1], threshold: [0.5, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, -0.2, 0.8] }],
};
const linear: ScoringModel = { ...scaled, kind: 'logistic', net };
const forest: ScoringModel = { ...scaled, kind: 'gbt', trees };
const blend: ScoringModel = { ...scaled, kind: 'blend', net, trees };

describe('when a blend scores and explains a student', () => {
  const m = new FeatureMatrix(0, Int32Array.of(0, 1));
  m.column('att_unexcused_rate_4w')(0, 0.4);
  m.column('grade_failing_subjects')(0, 2);
  m.column('att_unexcused_rate_4w')(1, 0.1);
  const logit = (model: ScoringModel) => scoreMatrix(model, m).logit;

  it('should average the logits of its parts', () => {
    const [l, t, b] = [logit(linear), logit(forest), logit(blend)];
    for (let r = 0; r < 2; r++) expect(b[r]).toBeCloseTo((l[r] + t[r]) / 2, 12);
    expect(t[0]).toBeCloseTo(-4 + 0.8, 12);
  });

  it('should give each input the average of its parts in the two models', () => {
    for (let r = 0; r < 2; r++) {
      const [a, f, b] = [attributions(linear, m, r), attributions(forest, m, r), attributions(blend, m, r)];
      for (let k = 0; k < 2; k++) expect(b[k]).toBeCloseTo((a[k] + f[k]) / 2, 12);
    }
    expect(attributions(blend, m, 0)[1]).toBeCloseTo((0.5 * 2 + 0.8) / 2, 12);
  });
});
