/** Per-feature mean and spread from training rows; applied the same way at scoring. */
export interface Standardiser {
  mean: number[];
  sd: number[];
}

export function fitStandardiser(x: Float32Array, width: number): Standardiser {
  const n = x.length / width;
  const mean = new Array<number>(width).fill(0);
  const sq = new Array<number>(width).fill(0);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < width; c++) {
      const v = x[i * width + c];
      mean[c] += v;
      sq[c] += v * v;
    }
  }
  const sd = mean.map((s, c) => {
    const m = s / n;
    const v = sq[c] / n - m * m;
    return v > 1e-12 ? Math.sqrt(v) : 1; // a constant feature stays 0 after centring
  });
  return { mean: mean.map((s) => s / n), sd };
}

export function standardise(s: Standardiser, x: Float32Array, width: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i += width) {
    for (let c = 0; c < width; c++) out[i + c] = (x[i + c] - s.mean[c]) / s.sd[c];
  }
  return out;
}
