import { Random } from '../util/random.js';
import { tf } from './backend.js';
import type { DenseStack } from './dense-stack.js';

export type ModelKind = 'logistic' | 'mlp' | 'gbt' | 'blend';
export type NetworkKind = 'logistic' | 'mlp';

export interface FitOptions {
  kind: NetworkKind;
  seed: number;
  /** Passes over the training rows. Default 8 (logistic) or 14 (MLP). */
  epochs?: number;
  /** Default 1024. */
  batchSize?: number;
  /** Adam's learning rate. Default 0.01 (logistic) or 0.003 (MLP). */
  learningRate?: number;
  /** L2 penalty on the weights. Default 1e-3 (logistic) or 1e-4 (MLP). */
  l2?: number;
  /** Hidden layer sizes of the MLP. Default [32, 16]. */
  hidden?: number[];
  onEpoch?: (epoch: number, loss: number) => void;
}

export interface Fitted {
  model: import('@tensorflow/tfjs').LayersModel;
  net: DenseStack;
  hyper: Required<Omit<FitOptions, 'onEpoch'>> & { positiveWeight: number };
}

/**
 * Trains a regularised logistic regression or a small MLP on standardised rows. Positives are
 * weighted by the class ratio (capped at 50), so the rare dropouts are not drowned out; the
 * probabilities this distorts are recalibrated afterwards. Deterministic for a seed: seeded
 * initialisers and dropout, rows shuffled once by our own generator, no shuffling inside fit.
 */
export async function fitNetwork(x: Float32Array, y: Uint8Array, width: number, options: FitOptions): Promise<Fitted> {
  const logistic = options.kind === 'logistic';
  const hyper = {
    kind: options.kind,
    seed: options.seed,
    epochs: options.epochs ?? (logistic ? 8 : 14),
    batchSize: options.batchSize ?? 1024,
    learningRate: options.learningRate ?? (logistic ? 0.01 : 0.003),
    l2: options.l2 ?? (logistic ? 1e-3 : 1e-4),
    hidden: logistic ? [] : (options.hidden ?? [32, 16]),
  };
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i];
  const positiveWeight = Math.min(50, Math.max(1, (y.length - pos) / Math.max(1, pos)));

  const model = tf.sequential();
  let seed = options.seed * 7919;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const reg = () => tf.regularizers.l2({ l2: hyper.l2 });
  hyper.hidden.forEach((units, k) => {
    model.add(tf.layers.dense({ units, activation: 'relu', kernelInitializer: init(), kernelRegularizer: reg(), ...(k === 0 ? { inputShape: [width] } : {}) }));
    if (k === 0) model.add(tf.layers.dropout({ rate: 0.1, seed: seed++ }));
  });
  model.add(
    tf.layers.dense({
      units: 1,
      activation: 'sigmoid',
      kernelInitializer: init(),
      kernelRegularizer: reg(),
      ...(hyper.hidden.length === 0 ? { inputShape: [width] } : {}),
    }),
  );
  model.compile({ optimizer: tf.train.adam(hyper.learningRate), loss: 'binaryCrossentropy' });

  const { xs, ys } = shuffled(x, y, width, options.seed);
  const xt = tf.tensor2d(xs, [y.length, width]);
  const yt = tf.tensor2d(ys, [y.length, 1]);
  try {
    await model.fit(xt, yt, {
      epochs: hyper.epochs,
      batchSize: hyper.batchSize,
      shuffle: false,
      classWeight: { 0: 1, 1: positiveWeight },
      verbose: 0,
      callbacks: { onEpochEnd: async (epoch, logs) => options.onEpoch?.(epoch + 1, logs?.loss ?? Number.NaN) },
    });
  } finally {
    xt.dispose();
    yt.dispose();
  }
  return { model, net: toDenseStack(model), hyper: { ...hyper, positiveWeight } };
}

/** The Dense layers' weights as plain arrays (dropout is the identity at scoring time). */
export function toDenseStack(model: import('@tensorflow/tfjs').LayersModel): DenseStack {
  return model.layers
    .filter((l) => l.getClassName() === 'Dense')
    .map((l, k, all) => {
      const [kernel, bias] = l.getWeights();
      const [inputs, units] = kernel.shape as [number, number];
      return {
        inputs,
        units,
        kernel: kernel.dataSync() as Float32Array,
        bias: bias.dataSync() as Float32Array,
        relu: k < all.length - 1,
      };
    });
}

function shuffled(x: Float32Array, y: Uint8Array, width: number, seed: number) {
  const n = y.length;
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const r = new Random(seed, 99);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  const xs = new Float32Array(x.length);
  const ys = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    xs.set(x.subarray(idx[k] * width, (idx[k] + 1) * width), k * width);
    ys[k] = y[idx[k]];
  }
  return { xs, ys };
}
