import { describe, expect, it } from 'vitest';
import { Random } from '../../src/generate/index.js';
import { fitNetwork, initTf, integratedGradients, logitOf, tf } from '../../src/model/index.js';

async function smallMlp() {
  await initTf();
  const r = new Random(5);
  const n = 3000;
  const width = 6;
  const x = Float32Array.from({ length: n * width }, () => r.normal());
  const y = Uint8Array.from({ length: n }, (_, i) => (x[i * width] * 1.5 - x[i * width + 1] + r.normal(0, 0.5) > 1 ? 1 : 0));
  return { ...(await fitNetwork(x, y, width, { kind: 'mlp', seed: 9, epochs: 3, hidden: [8, 4] })), x, width };
}

describe('the plain-array network', () => {
  it('gives the probabilities TensorFlow.js gives', async () => {
    const { model, net, x, width } = await smallMlp();
    const rows = 50;
    const expected = (model.predict(tf.tensor2d(x.subarray(0, rows * width), [rows, width])) as import('@tensorflow/tfjs').Tensor).dataSync();
    for (let i = 0; i < rows; i++) {
      const p = 1 / (1 + Math.exp(-logitOf(net, x.subarray(i * width, (i + 1) * width))));
      expect(p).toBeCloseTo(expected[i], 5);
    }
    model.dispose();
  });

  it('splits a logit into integrated gradients that add up to it', async () => {
    const { model, net, x, width } = await smallMlp();
    for (let i = 0; i < 20; i++) {
      const row = x.subarray(i * width, (i + 1) * width);
      const ig = integratedGradients(net, row, 256);
      const sum = ig.reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(logitOf(net, row) - logitOf(net, new Float32Array(width)), 2);
    }
    model.dispose();
  });
});
