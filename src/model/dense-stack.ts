/**
 * A trained network as plain arrays: dense layers, ReLU inside, one logit out. Scoring and
 * explaining run here, in a tight loop over typed arrays, which on two cores beats calling
 * TensorFlow.js per batch; tests check it gives what the TensorFlow.js model gives.
 */
export interface DenseLayer {
  readonly inputs: number;
  readonly units: number;
  /** Row-major [inputs × units], as TensorFlow.js stores a Dense kernel. */
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly relu: boolean;
}

export type DenseStack = readonly DenseLayer[];

/** The logit (before the output sigmoid) of one standardised input row. */
export function logitOf(net: DenseStack, x: ArrayLike<number>, scratch?: Float64Array[]): number {
  let input: ArrayLike<number> = x;
  for (let l = 0; l < net.length; l++) {
    const layer = net[l];
    const out = scratch?.[l] ?? new Float64Array(layer.units);
    for (let u = 0; u < layer.units; u++) out[u] = layer.bias[u];
    for (let i = 0; i < layer.inputs; i++) {
      const v = input[i];
      if (v === 0) continue;
      const row = i * layer.units;
      for (let u = 0; u < layer.units; u++) out[u] += v * layer.kernel[row + u];
    }
    if (layer.relu) for (let u = 0; u < layer.units; u++) if (out[u] < 0) out[u] = 0;
    input = out;
  }
  return input[0];
}

export function scratchFor(net: DenseStack): Float64Array[] {
  return net.map((l) => new Float64Array(l.units));
}

/** Gradient of the logit with respect to the input row, by back-propagation through ReLUs. */
export function inputGradient(net: DenseStack, x: ArrayLike<number>): Float64Array {
  const acts: Float64Array[] = [];
  let input: ArrayLike<number> = x;
  for (const layer of net) {
    const out = new Float64Array(layer.units);
    for (let u = 0; u < layer.units; u++) out[u] = layer.bias[u];
    for (let i = 0; i < layer.inputs; i++) {
      const row = i * layer.units;
      for (let u = 0; u < layer.units; u++) out[u] += input[i] * layer.kernel[row + u];
    }
    if (layer.relu) for (let u = 0; u < layer.units; u++) if (out[u] < 0) out[u] = 0;
    acts.push(out);
    input = out;
  }
  let grad = new Float64Array([1]);
  for (let l = net.length - 1; l >= 0; l--) {
    const layer = net[l];
    if (layer.relu) for (let u = 0; u < layer.units; u++) if (acts[l][u] <= 0) grad[u] = 0;
    const back = new Float64Array(layer.inputs);
    for (let i = 0; i < layer.inputs; i++) {
      const row = i * layer.units;
      let s = 0;
      for (let u = 0; u < layer.units; u++) s += layer.kernel[row + u] * grad[u];
      back[i] = s;
    }
    grad = back;
  }
  return grad;
}

/**
 * Integrated gradients from the all-zero baseline (the training mean, once standardised):
 * attributions that add up to logit(x) − logit(0), each the part one feature plays.
 */
export function integratedGradients(net: DenseStack, x: ArrayLike<number>, steps = 16): Float64Array {
  const n = x.length;
  const total = new Float64Array(n);
  const point = new Float64Array(n);
  for (let k = 1; k <= steps; k++) {
    const alpha = (k - 0.5) / steps; // midpoint rule
    for (let i = 0; i < n; i++) point[i] = alpha * x[i];
    const g = inputGradient(net, point);
    for (let i = 0; i < n; i++) total[i] += g[i];
  }
  for (let i = 0; i < n; i++) total[i] *= x[i] / steps;
  return total;
}

/** Exact contributions of a linear model: weight × standardised value. */
export function linearContributions(net: DenseStack, x: ArrayLike<number>, out = new Float64Array(net[0].inputs)): Float64Array {
  const layer = net[0];
  for (let i = 0; i < out.length; i++) out[i] = layer.kernel[i] * x[i];
  return out;
}
