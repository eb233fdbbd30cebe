import type { Examples } from './dataset.js';
import { tf } from './backend.js';
import { fitNetwork, toDenseStack, type ModelKind } from './networks.js';
import { fitPlainLogistic } from './plain-logistic.js';
import type { ModelMeta } from './registry.js';
import { logitScratch, modelLogit, type ScoringModel } from './scorer.js';
import type { Standardiser } from './standardise.js';
import { fitTrees, type TreeEnsemble } from './trees.js';

/** What a model folder holds: a TensorFlow.js network, trees, or both (a blend). */
export interface SavedParts {
  layers?: import('@tensorflow/tfjs').LayersModel;
  trees?: TreeEnsemble;
}

/** A fitted candidate before calibration: what scores, what is saved, and its settings. */
export interface Candidate {
  kind: ModelKind;
  model: ScoringModel;
  saved: SavedParts;
  hyper: ModelMeta['hyper'];
  dispose: () => void;
}

export interface CandidateInput {
  zTrain: Float32Array;
  zVal: Float32Array;
  width: number;
  train: Examples;
  validation: Examples;
  seed: number;
  scaled: { features: string[]; standardiser: Standardiser };
  /** Epochs (networks) or most trees, for quick runs. */
  steps?: number;
  /** One per training row (mean 1), for the reweighing mitigation: the logistic model and the trees use them, the MLP does not. */
  weights?: Float64Array;
  progress: (phase: string, done: number, total: number) => void;
}

export const DEFAULT_EPOCHS = { mlp: 14 } as const;

/** Fits one candidate: a TensorFlow.js network (logistic or MLP) or boosted trees. */
export async function fitCandidate(kind: Exclude<ModelKind, 'blend'>, c: CandidateInput): Promise<Candidate> {
  const identity = { a: 1, b: 0 };
  if (kind === 'gbt') {
    const fitted = fitTrees(
      c.zTrain,
      c.train.y,
      c.width,
      { x: c.zVal, y: c.validation.y },
      {
        seed: c.seed,
        maxTrees: c.steps,
        weights: c.weights,
        onTree: (done, total) => c.progress('fit gbt', done, total),
      },
    );
    return {
      kind,
      model: { ...c.scaled, calibration: identity, kind, trees: fitted.ensemble },
      saved: { trees: fitted.ensemble },
      hyper: fitted.hyper,
      dispose: () => {},
    };
  }
  if (kind === 'logistic') return fitLogistic(c);
  const epochs = c.steps ?? DEFAULT_EPOCHS.mlp;
  const fitted = await fitNetwork(c.zTrain, c.train.y, c.width, { kind, seed: c.seed, epochs, onEpoch: (e) => c.progress(`fit ${kind}`, e, epochs) });
  return {
    kind,
    model: { ...c.scaled, calibration: identity, kind, net: fitted.net },
    saved: { layers: fitted.model },
    hyper: fitted.hyper,
    dispose: () => fitted.model.dispose(),
  };
}

/**
 * The logistic model and the trees with their logits averaged: the straight lines a linear model
 * extrapolates well and the thresholds and interactions trees find. On the benchmarks the blend
 * ranked at or near the better of the two every time (bench/real.ts). It shares the parts of the
 * two candidates it is made of, which own and dispose them.
 */
export function blendOf(linear: Candidate, trees: Candidate): Candidate | null {
  if (linear.model.kind !== 'logistic' || trees.model.kind !== 'gbt') return null;
  const { features, standardiser } = linear.model;
  return {
    kind: 'blend',
    model: { features, standardiser, calibration: { a: 1, b: 0 }, kind: 'blend', net: linear.model.net, trees: trees.model.trees },
    saved: { layers: linear.saved.layers, trees: trees.saved.trees },
    hyper: { kind: 'blend', weights: '0.5 logistic + 0.5 trees', logistic: linear.hyper, trees: trees.hyper },
    dispose: () => {},
  };
}

/**
 * The logistic candidate, fitted to its optimum by Newton's method (Adam for a few epochs stopped
 * short of it, and its class weighting moved the optimum), then held as a one-layer TensorFlow.js
 * model so that it is saved, loaded and retrained like the network.
 */
function fitLogistic(c: CandidateInput): Candidate {
  const ridge = 1e-4;
  const fit = fitPlainLogistic(c.zTrain, c.train.y, c.width, ridge, c.weights);
  // Fold the fit's own centring and scaling into one kernel and bias.
  const kernel = new Float32Array(c.width);
  let bias = fit.weights[c.width];
  for (let k = 0; k < c.width; k++) {
    kernel[k] = fit.weights[k] / fit.sd[k];
    bias -= (fit.weights[k] * fit.mean[k]) / fit.sd[k];
  }
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [c.width] }));
  model.layers[0].setWeights([tf.tensor2d(kernel, [c.width, 1]), tf.tensor1d([bias])]);
  return {
    kind: 'logistic',
    model: { ...c.scaled, calibration: { a: 1, b: 0 }, kind: 'logistic', net: toDenseStack(model) },
    saved: { layers: model },
    hyper: { kind: 'logistic', method: 'newton', ridge },
    dispose: () => model.dispose(),
  };
}

/**
 * Raw logits of a model for unstandardised rows (its inputs only), scaled in float64 exactly as
 * scoring scales a feature matrix, so what training measures is what a weekly run will give.
 */
export function logitsOf(model: ScoringModel, x: Float32Array, width: number): Float64Array {
  const n = x.length / width;
  const out = new Float64Array(n);
  const scratch = logitScratch(model);
  const row = new Float64Array(width);
  const { mean, sd } = model.standardiser;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < width; c++) row[c] = (x[i * width + c] - mean[c]) / sd[c];
    out[i] = modelLogit(model, row, scratch);
  }
  return out;
}
