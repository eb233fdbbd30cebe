/**
 * A plain logistic regression fitted to its optimum by Newton's method (IRLS), as a statistics
 * package or scikit-learn would fit it: the honest baseline a model must beat. Inputs are centred
 * and scaled inside (which leaves the fitted probabilities unchanged); a tiny ridge keeps the
 * Hessian invertible when an input is constant or two are collinear. At most 50 iterations.
 */
export interface PlainLogistic {
  mean: Float64Array;
  sd: Float64Array;
  weights: Float64Array; // intercept last
}

/** `weights` (one per row, mean 1) make some rows count for more: the reweighing mitigation's. */
export function fitPlainLogistic(x: Float32Array, y: Uint8Array, width: number, ridge = 1e-4, weights?: Float64Array): PlainLogistic {
  const n = y.length;
  const mean = new Float64Array(width);
  const sd = new Float64Array(width);
  for (let i = 0; i < n; i++) for (let c = 0; c < width; c++) mean[c] += x[i * width + c] / n;
  for (let i = 0; i < n; i++) for (let c = 0; c < width; c++) sd[c] += (x[i * width + c] - mean[c]) ** 2 / n;
  for (let c = 0; c < width; c++) sd[c] = sd[c] > 1e-12 ? Math.sqrt(sd[c]) : 1;
  const k = width + 1;
  const w = new Float64Array(k);
  const row = new Float64Array(k);
  for (let it = 0; it < 50; it++) {
    const grad = new Float64Array(k);
    const hess = new Float64Array(k * k);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < width; c++) row[c] = (x[i * width + c] - mean[c]) / sd[c];
      row[width] = 1;
      let z = 0;
      for (let c = 0; c < k; c++) z += w[c] * row[c];
      const p = 1 / (1 + Math.exp(-z));
      const wi = weights ? weights[i] : 1;
      const q = wi * Math.max(p * (1 - p), 1e-12);
      for (let a = 0; a < k; a++) {
        grad[a] += wi * (p - y[i]) * row[a];
        for (let b = a; b < k; b++) hess[a * k + b] += q * row[a] * row[b];
      }
    }
    for (let a = 0; a < k; a++) {
      grad[a] += ridge * n * w[a];
      hess[a * k + a] += ridge * n;
      for (let b = 0; b < a; b++) hess[a * k + b] = hess[b * k + a];
    }
    const step = solve(hess, grad, k);
    let size = 0;
    for (let a = 0; a < k; a++) {
      w[a] -= step[a];
      size = Math.max(size, Math.abs(step[a]));
    }
    if (!(size > 1e-8)) break; // converged, or NaN: stop either way
  }
  return { mean, sd, weights: w };
}

export function plainLogit(m: PlainLogistic, x: ArrayLike<number>, at = 0): number {
  const width = m.mean.length;
  let z = m.weights[width];
  for (let c = 0; c < width; c++) z += m.weights[c] * ((x[at + c] - m.mean[c]) / m.sd[c]);
  return z;
}

/** Solves the symmetric positive-definite system A·s = b by Gaussian elimination with pivoting. */
function solve(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const m = Float64Array.from(a);
  const v = Float64Array.from(b);
  for (let col = 0; col < k; col++) {
    let piv = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(m[r * k + col]) > Math.abs(m[piv * k + col])) piv = r;
    if (piv !== col) {
      for (let c = 0; c < k; c++) [m[col * k + c], m[piv * k + c]] = [m[piv * k + c], m[col * k + c]];
      [v[col], v[piv]] = [v[piv], v[col]];
    }
    const d = m[col * k + col] || 1e-12;
    for (let r = col + 1; r < k; r++) {
      const f = m[r * k + col] / d;
      if (f === 0) continue;
      for (let c = col; c < k; c++) m[r * k + c] -= f * m[col * k + c];
      v[r] -= f * v[col];
    }
  }
  const s = new Float64Array(k);
  for (let r = k - 1; r >= 0; r--) {
    let t = v[r];
    for (let c = r + 1; c < k; c++) t -= m[r * k + c] * s[c];
    s[r] = t / (m[r * k + r] || 1e-12);
  }
  return s;
}
