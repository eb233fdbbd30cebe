/**
 * Platt scaling: p = σ(a·z + b) on a model's logit z, fitted by Newton's method with a
 * backtracking line search (Lin, Lin & Weng, 2007) on held-out examples. Two parameters
 * cannot overfit a few hundred positives, and they undo the distortion that class weighting
 * puts into the raw probabilities.
 */
export interface Platt {
  a: number;
  b: number;
}

export function fitPlatt(logit: ArrayLike<number>, y: ArrayLike<number>, iterations = 100): Platt {
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i];
  const neg = y.length - pos;
  // Platt's smoothed targets keep the fit finite when the classes separate.
  const tPos = (pos + 1) / (pos + 2);
  const tNeg = 1 / (neg + 2);
  const target = (i: number) => (y[i] ? tPos : tNeg);
  const loss = (a: number, b: number) => {
    let s = 0;
    for (let i = 0; i < y.length; i++) {
      const f = a * logit[i] + b;
      const t = target(i);
      // log(1 + e^f) − t·f, computed without overflow
      s += (f >= 0 ? f + Math.log1p(Math.exp(-f)) : Math.log1p(Math.exp(f))) - t * f;
    }
    return s;
  };
  let a = 0;
  let b = Math.log((pos + 1) / (neg + 1)); // start from the base rate
  let current = loss(a, b);
  for (let it = 0; it < iterations; it++) {
    let g0 = 0,
      g1 = 0,
      h00 = 1e-12,
      h01 = 0,
      h11 = 1e-12;
    for (let i = 0; i < y.length; i++) {
      const z = logit[i];
      const p = 1 / (1 + Math.exp(-(a * z + b)));
      const d = p - target(i);
      const w = p * (1 - p);
      g0 += d * z;
      g1 += d;
      h00 += w * z * z;
      h01 += w * z;
      h11 += w;
    }
    if (Math.abs(g0) < 1e-7 && Math.abs(g1) < 1e-7) break;
    const det = h00 * h11 - h01 * h01;
    const da = (h11 * g0 - h01 * g1) / det;
    const db = (h00 * g1 - h01 * g0) / det;
    let step = 1;
    let next = loss(a - da, b - db);
    while (next > current + 1e-4 * step * (g0 * -da + g1 * -db) && step > 1e-10) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (step <= 1e-10) break;
    a -= step * da;
    b -= step * db;
    if (current - next < 1e-10 * Math.max(1, Math.abs(current))) break;
    current = next;
  }
  return { a, b };
}

export function applyPlatt(c: Platt, logit: number): number {
  return 1 / (1 + Math.exp(-(c.a * logit + c.b)));
}
