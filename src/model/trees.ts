import { Random } from '../util/random.js';
import { countAtMost } from '../util/sorted.js';

/**
 * Gradient-boosted decision trees on the log-loss, grown level by level on binned features
 * (the histogram method of LightGBM and XGBoost's `hist`). No JavaScript library for this is
 * well kept, and the method is small: bins per feature from quantiles, per node a histogram of
 * gradients and hessians, the split that gains most, leaves at −G/(H+λ). Trees see what a
 * linear model cannot: thresholds (a third unexcused day), interactions (a fall in grades
 * during a family crisis) and missing data (a bin of its own side).
 */
export interface Tree {
  /** Per node: the input split on, or −1 for a leaf. */
  feature: number[];
  /** Go left when the input is ≤ this. */
  threshold: number[];
  left: number[];
  right: number[];
  /** The node's value (a leaf's output; for inner nodes, what it would output as a leaf). */
  value: number[];
}

export interface TreeEnsemble {
  base: number;
  trees: Tree[];
  inputs: number;
}

export interface TreeOptions {
  seed: number;
  /** Trees at most. Default 400. */
  maxTrees?: number;
  /**
   * Default 2: each tree one interaction of two inputs. On the benchmarks (bench/real.ts) the
   * validation block, weeks after the training block, preferred deeper trees that then did worse
   * on the later test block (generator: depth 4 0.79, depth 3 0.82, depth 2 0.83 test AUC).
   */
  maxDepth?: number;
  /** Shrinkage. Default 0.05. */
  learningRate?: number;
  /** L2 penalty on leaf values. Default 1. */
  lambda?: number;
  /**
   * Least rows in a child. Default 20. Counted in rows, not hessian: at a 1% base rate a group of
   * a hundred students has a hessian near 1, and a hessian floor would never let a rare, strong
   * cause (a parent's illness) split off.
   */
  minChildRows?: number;
  /** Share of rows each tree sees. Default 0.7. */
  subsample?: number;
  /** Stop when validation log-loss has not improved for this many trees. Default 30. */
  patience?: number;
  /** One per training row (mean 1): rows that count for more in the gradients (the reweighing mitigation). */
  weights?: Float64Array;
  onTree?: (done: number, total: number) => void;
}

const BINS = 64;

export interface FittedTrees {
  ensemble: TreeEnsemble;
  hyper: Required<Omit<TreeOptions, 'onTree' | 'weights'>> & { trees_kept: number };
}

/** Fits on rows `x` (n × width) with labels `y`, stopping early on the validation rows. */
export function fitTrees(x: Float32Array, y: Uint8Array, width: number, val: { x: Float32Array; y: Uint8Array }, options: TreeOptions): FittedTrees {
  const o = {
    seed: options.seed,
    maxTrees: options.maxTrees ?? 400,
    maxDepth: options.maxDepth ?? 2,
    learningRate: options.learningRate ?? 0.05,
    lambda: options.lambda ?? 1,
    minChildRows: options.minChildRows ?? 20,
    subsample: options.subsample ?? 0.7,
    patience: options.patience ?? 30,
  };
  const n = y.length;
  const cuts = binEdges(x, n, width);
  const bins = binned(x, n, width, cuts);
  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[i];
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, pos / Math.max(1, n)));
  const base = Math.log(rate / (1 - rate));
  const f = new Float64Array(n).fill(base);
  const nVal = val.y.length;
  const fVal = new Float64Array(nVal).fill(base);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const r = new Random(o.seed, 31);
  const trees: Tree[] = [];
  let best = logLoss(fVal, val.y);
  let bestCount = 0;
  for (let t = 0; t < o.maxTrees && t - bestCount < o.patience; t++) {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-f[i]));
      const w = options.weights ? options.weights[i] : 1;
      g[i] = w * (p - y[i]);
      h[i] = w * Math.max(p * (1 - p), 1e-12);
    }
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (r.next() < o.subsample) rows.push(i);
    const tree = growTree(bins, cuts, g, h, Int32Array.from(rows), n, width, o);
    trees.push(tree);
    for (let i = 0; i < n; i++) f[i] += treeValueBinned(tree, bins, n, i);
    for (let i = 0; i < nVal; i++) fVal[i] += treeValue(tree, val.x, i * width);
    const loss = logLoss(fVal, val.y);
    if (loss < best - 1e-7) {
      best = loss;
      bestCount = t + 1;
    }
    options.onTree?.(t + 1, o.maxTrees);
  }
  const kept = trees.slice(0, Math.max(1, bestCount));
  return { ensemble: { base, trees: kept, inputs: width }, hyper: { ...o, trees_kept: kept.length } };
}

/** The ensemble's logit for one input row. */
export function treesLogit(e: TreeEnsemble, x: ArrayLike<number>, at = 0): number {
  let s = e.base;
  for (const t of e.trees) s += treeValue(t, x, at);
  return s;
}

/**
 * Each input's part in the logit (Saabas): along the path a row takes, the change in node value
 * at each split goes to the input split on. The parts and the trees' root values add up to the
 * logit exactly, so a reason says how much the value moved the risk.
 */
export function treeContributions(e: TreeEnsemble, x: ArrayLike<number>, out = new Float64Array(e.inputs)): Float64Array {
  out.fill(0);
  for (const t of e.trees) {
    let node = 0;
    while (t.feature[node] >= 0) {
      const next = x[t.feature[node]] <= t.threshold[node] ? t.left[node] : t.right[node];
      out[t.feature[node]] += t.value[next] - t.value[node];
      node = next;
    }
  }
  return out;
}

function treeValue(t: Tree, x: ArrayLike<number>, at: number): number {
  let node = 0;
  while (t.feature[node] >= 0) node = x[at + t.feature[node]] <= t.threshold[node] ? t.left[node] : t.right[node];
  return t.value[node];
}

// While fitting, trees are walked on the bins (thresholds are bin edges, so both agree).
const BIN_OF = new WeakMap<Tree, number[]>();
function treeValueBinned(t: Tree, bins: Uint8Array, n: number, i: number): number {
  const splitBin = BIN_OF.get(t)!;
  let node = 0;
  while (t.feature[node] >= 0) node = bins[t.feature[node] * n + i] <= splitBin[node] ? t.left[node] : t.right[node];
  return t.value[node];
}

function logLoss(f: Float64Array, y: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < f.length; i++) {
    const z = y[i] ? -f[i] : f[i];
    s += z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
  }
  return s / Math.max(1, f.length);
}

/**
 * Up to BINS−1 cut points per input, at quantiles of a sample of rows. Each cut lies halfway
 * between a quantile and the next value above it, never on a value: training sees float32
 * inputs and scoring float64, and a row sitting exactly on a cut could go either way.
 */
function binEdges(x: Float32Array, n: number, width: number): Float64Array[] {
  const step = Math.max(1, Math.floor(n / 50_000));
  const out: Float64Array[] = [];
  for (let c = 0; c < width; c++) {
    const v: number[] = [];
    for (let i = 0; i < n; i += step) v.push(x[i * width + c]);
    v.sort((a, b) => a - b);
    const cuts: number[] = [];
    for (let b = 1; b < BINS; b++) {
      const q = v[Math.min(v.length - 1, Math.floor((b * v.length) / BINS))];
      // The first sampled value above q, if any: a cut at the largest value splits nothing off.
      const lo = countAtMost(v, q);
      if (lo >= v.length) continue;
      const cut = (q + v[lo]) / 2;
      if (cuts.length === 0 || cut > cuts[cuts.length - 1]) cuts.push(cut);
    }
    out.push(Float64Array.from(cuts));
  }
  return out;
}

/** Column-major bins: bins[c·n + i] = how many cuts of input c lie below row i's value. */
function binned(x: Float32Array, n: number, width: number, cuts: Float64Array[]): Uint8Array {
  const out = new Uint8Array(n * width);
  for (let c = 0; c < width; c++) {
    const cut = cuts[c];
    for (let i = 0; i < n; i++) {
      const v = x[i * width + c];
      let lo = 0;
      let hi = cut.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (v <= cut[mid]) hi = mid;
        else lo = mid + 1;
      }
      out[c * n + i] = lo;
    }
  }
  return out;
}

interface Grow {
  maxDepth: number;
  learningRate: number;
  lambda: number;
  minChildRows: number;
}

function growTree(bins: Uint8Array, cuts: Float64Array[], g: Float64Array, h: Float64Array, rows: Int32Array, n: number, width: number, o: Grow): Tree {
  const t: Tree = { feature: [], threshold: [], left: [], right: [], value: [] };
  const splitBin: number[] = [];
  const leafValue = (G: number, H: number) => (-G / (H + o.lambda)) * o.learningRate;
  const addNode = (G: number, H: number) => {
    t.feature.push(-1);
    t.threshold.push(0);
    t.left.push(-1);
    t.right.push(-1);
    t.value.push(leafValue(G, H));
    splitBin.push(0);
    return t.feature.length - 1;
  };
  let G0 = 0,
    H0 = 0;
  for (const i of rows) (G0 += g[i]), (H0 += h[i]);
  let level: { node: number; rows: Int32Array; G: number; H: number }[] = [{ node: addNode(G0, H0), rows, G: G0, H: H0 }];
  const hg = new Float64Array(width * BINS);
  const hh = new Float64Array(width * BINS);
  const hn = new Int32Array(width * BINS);
  for (let depth = 0; depth < o.maxDepth && level.length > 0; depth++) {
    const next: typeof level = [];
    for (const leaf of level) {
      if (leaf.rows.length < 2 * o.minChildRows) continue;
      hg.fill(0);
      hh.fill(0);
      hn.fill(0);
      for (let c = 0; c < width; c++) {
        const col = c * n;
        const at = c * BINS;
        for (const i of leaf.rows) {
          const b = at + bins[col + i];
          hg[b] += g[i];
          hh[b] += h[i];
          hn[b]++;
        }
      }
      const parentScore = (leaf.G * leaf.G) / (leaf.H + o.lambda);
      let bestGain = 1e-9,
        bestC = -1,
        bestB = -1,
        bestGL = 0,
        bestHL = 0;
      for (let c = 0; c < width; c++) {
        let GL = 0,
          HL = 0,
          NL = 0;
        const last = cuts[c].length; // bins 0..last; a split after bin b for b < last
        for (let b = 0; b < last; b++) {
          GL += hg[c * BINS + b];
          HL += hh[c * BINS + b];
          NL += hn[c * BINS + b];
          const HR = leaf.H - HL;
          if (NL < o.minChildRows || leaf.rows.length - NL < o.minChildRows) continue;
          const GR = leaf.G - GL;
          const gain = (GL * GL) / (HL + o.lambda) + (GR * GR) / (HR + o.lambda) - parentScore;
          if (gain > bestGain) (bestGain = gain), (bestC = c), (bestB = b), (bestGL = GL), (bestHL = HL);
        }
      }
      if (bestC < 0) continue;
      const col = bestC * n;
      const leftRows: number[] = [];
      const rightRows: number[] = [];
      for (const i of leaf.rows) (bins[col + i] <= bestB ? leftRows : rightRows).push(i);
      const l = addNode(bestGL, bestHL);
      const r = addNode(leaf.G - bestGL, leaf.H - bestHL);
      t.feature[leaf.node] = bestC;
      t.threshold[leaf.node] = cuts[bestC][bestB];
      splitBin[leaf.node] = bestB;
      t.left[leaf.node] = l;
      t.right[leaf.node] = r;
      next.push({ node: l, rows: Int32Array.from(leftRows), G: bestGL, H: bestHL });
      next.push({ node: r, rows: Int32Array.from(rightRows), G: leaf.G - bestGL, H: leaf.H - bestHL });
    }
    level = next;
  }
  BIN_OF.set(t, splitBin);
  return t;
}
