import { FEATURE_NAMES, type FeatureMatrix } from '../features/index.js';
import { applyPlatt, type Platt } from './calibrate.js';
import { integratedGradients, linearContributions, logitOf, scratchFor, type DenseStack } from './dense-stack.js';
import type { Standardiser } from './standardise.js';
import { treeContributions, treesLogit, type TreeEnsemble } from './trees.js';
import type { GroupOffset } from './mitigation.js';

interface Scaled {
  readonly features: readonly string[];
  readonly standardiser: Standardiser;
  readonly calibration: Platt;
  /** Per-group logit offsets (the group_offsets mitigation), read from the matrix's own columns; added before calibration. */
  readonly offsets?: readonly GroupOffset[];
}

/**
 * What scoring needs of a trained model: a network, trees, or the blend of a linear model and trees
 * (their logits averaged), with their inputs, scaling and calibration.
 */
export type ScoringModel =
  | (Scaled & { readonly kind: 'logistic' | 'mlp'; readonly net: DenseStack })
  | (Scaled & { readonly kind: 'gbt'; readonly trees: TreeEnsemble })
  | (Scaled & { readonly kind: 'blend'; readonly net: DenseStack; readonly trees: TreeEnsemble });

/** The model's logit for one standardised input row. */
export function modelLogit(model: ScoringModel, x: Float64Array, scratch: Float64Array[] | null): number {
  if (model.kind === 'gbt') return treesLogit(model.trees, x);
  if (model.kind === 'blend') return 0.5 * logitOf(model.net, x, scratch!) + 0.5 * treesLogit(model.trees, x);
  return logitOf(model.net, x, scratch!);
}

export function logitScratch(model: ScoringModel): Float64Array[] | null {
  return model.kind === 'gbt' ? null : scratchFor(model.net);
}

// A blend's second set of parts, reused from one student to the next.
const BLEND_PARTS = new WeakMap<ScoringModel, Float64Array>();

const COLUMNS = new WeakMap<ScoringModel, Int32Array>();

/** Maps the model's feature list onto the registry's columns (once per model), refusing a feature it lacks. */
function columnsOf(model: ScoringModel): Int32Array {
  const known = COLUMNS.get(model);
  if (known) return known;
  const cols = Int32Array.from(model.features, (name) => {
    const c = FEATURE_NAMES.indexOf(name);
    if (c < 0) throw new Error(`the model needs feature ${name}, which this version of ews does not compute`);
    return c;
  });
  COLUMNS.set(model, cols);
  return cols;
}

/** One standardised input row for the model from a feature matrix row. */
export function inputRow(model: ScoringModel, m: FeatureMatrix, row: number, cols = columnsOf(model), out = new Float64Array(cols.length)): Float64Array {
  for (let k = 0; k < cols.length; k++) {
    out[k] = (m.values[row * m.width + cols[k]] - model.standardiser.mean[k]) / model.standardiser.sd[k];
  }
  return out;
}

/**
 * Buffers reused from one student to the next (a million small arrays otherwise): the result of
 * `attributions` then lives in `out` until the next call.
 */
export interface AttributionScratch {
  x: Float64Array;
  out: Float64Array;
}

export function attributionScratch(model: ScoringModel): AttributionScratch {
  return { x: new Float64Array(model.features.length), out: new Float64Array(model.features.length) };
}

/** Calibrated risk and raw logit for every row of a feature matrix. */
export function scoreMatrix(model: ScoringModel, m: FeatureMatrix): { risk: Float64Array; logit: Float64Array } {
  const cols = columnsOf(model);
  const x = new Float64Array(cols.length);
  const scratch = logitScratch(model);
  const risk = new Float64Array(m.rows);
  const logit = new Float64Array(m.rows);
  const offsets = (model.offsets ?? []).map((o) => ({ ...o, column: FEATURE_NAMES.indexOf(o.feature) }));
  for (let r = 0; r < m.rows; r++) {
    inputRow(model, m, r, cols, x);
    logit[r] = modelLogit(model, x, scratch);
    for (const o of offsets) if (m.values[r * m.width + o.column] === o.value) logit[r] += o.logit;
    risk[r] = applyPlatt(model.calibration, logit[r]);
  }
  return { risk, logit };
}

/**
 * Each feature's part in a row's logit: exact for the linear model and the trees (their path
 * contributions), integrated gradients for the MLP. Positive = pushes the risk up. Indexed like
 * `model.features`.
 */
export function attributions(model: ScoringModel, m: FeatureMatrix, row: number, scratch?: AttributionScratch): Float64Array {
  const x = inputRow(model, m, row, columnsOf(model), scratch?.x);
  if (model.kind === 'gbt') return treeContributions(model.trees, x, scratch?.out);
  if (model.kind === 'blend') {
    let trees = BLEND_PARTS.get(model);
    if (!trees) BLEND_PARTS.set(model, (trees = new Float64Array(model.features.length)));
    treeContributions(model.trees, x, trees);
    const out = linearContributions(model.net, x, scratch?.out);
    for (let k = 0; k < out.length; k++) out[k] = 0.5 * out[k] + 0.5 * trees[k];
    return out;
  }
  return model.kind === 'logistic' ? linearContributions(model.net, x, scratch?.out) : integratedGradients(model.net, x);
}
