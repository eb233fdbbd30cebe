import { createHash } from 'node:crypto';
import { formatDay, type Day } from '../dates/index.js';
import { FEATURE_NAMES, type Prepared } from '../features/index.js';
import { EwsError } from '../errors/index.js';
import { log } from '../observability/index.js';
import { initTf } from './backend.js';
import { RAW_COUNT_FEATURES, schoolRateScore, unexcusedRateScore } from './baselines.js';
import { fitPlatt, applyPlatt, type Platt } from './calibrate.js';
import { modelCard } from './card.js';
import { buildExamples, subset, temporalSplit, type Examples } from './dataset.js';
import { Random } from '../generate/random.js';
import { withoutTreated } from './followup-labels.js';
import { auditFairness } from './fairness.js';
import { referenceOf } from './reference.js';
import { logitOf, scratchFor, type DenseStack } from './dense-stack.js';
import { reliability, summarise, type Metrics } from './metrics.js';
import { fitNetwork, type ModelKind } from './networks.js';
import { modelsDir, saveModel, type ModelMeta } from './registry.js';
import { fitStandardiser, standardise } from './standardise.js';
import type { ScoringModel } from './scorer.js';
import { buildFeatures } from '../features/index.js';

export interface TrainOptions {
  asOf: Day;
  horizonDays: number;
  seed?: number;
  /** Candidates; the best on validation PR-AUC is kept. Default both. */
  kinds?: ModelKind[];
  /** Registry folder. Default modelsDir(). */
  dir?: string;
  /**
   * Training rows kept at most: above it, negatives are sampled (all positives stay), which
   * the calibration on untouched validation rows then corrects. Default 300,000.
   */
  maxTrainRows?: number;
  /** Fewer epochs for quick runs (tests). */
  epochs?: Partial<Record<ModelKind, number>>;
  onProgress?: (phase: string, done: number, total: number) => void;
  /** Students helped after an alert, with the day help began: their later examples are left out. */
  treated?: ReadonlyMap<number, Day>;
}

export interface TrainResult {
  meta: ModelMeta;
  folder: string;
  /** The chosen model as scoring uses it, before it went through the registry. */
  model: ScoringModel;
  /** The line `ews train` prints: the contract's fields and more. */
  line: Record<string, unknown>;
}

/**
 * Trains candidates on examples from weekly as-of dates whose horizon closed by `asOf`,
 * picks the best on a later validation block, calibrates it there, measures it on the
 * latest block, and registers it (without putting it in use).
 */
export async function trainModel(p: Prepared, options: TrainOptions): Promise<TrainResult> {
  const backend = await initTf();
  const seed = options.seed ?? 1;
  const kinds = options.kinds ?? ['logistic', 'mlp'];
  const firstDay = firstDataDay(p);
  const split = temporalSplit(firstDay, options.asOf, options.horizonDays);
  const progress = options.onProgress ?? (() => {});
  const dates = [...split.train, ...split.validation, ...split.test];
  let built = 0;
  const examples = (ds: Day[]) => buildExamples(p, ds, options.horizonDays, () => progress('features', ++built, dates.length));
  const treated = options.treated ?? new Map<number, Day>();
  const untreated = (e: Examples) => withoutTreated(e, treated);
  const trainAll = untreated(examples(split.train));
  const valAll = untreated(examples(split.validation));
  const testAll = untreated(examples(split.test));
  const excludedTreated = trainAll.excluded + valAll.excluded + testAll.excluded;
  const train = downsampleNegatives(trainAll.examples, options.maxTrainRows ?? 300_000, seed);
  const validation = valAll.examples;
  const test = testAll.examples;
  log.info({ train: train.length, validation: validation.length, test: test.length, dates: dates.length }, 'examples built');

  const std = fitStandardiser(train.x, train.width);
  const zTrain = standardise(std, train.x, train.width);
  const zVal = standardise(std, validation.x, validation.width);
  const zTest = standardise(std, test.x, test.width);

  const candidates: { kind: ModelKind; fitted: Awaited<ReturnType<typeof fitNetwork>>; platt: Platt; val: Metrics }[] = [];
  for (const kind of kinds) {
    const fitted = await fitNetwork(zTrain, train.y, train.width, {
      kind,
      seed,
      epochs: options.epochs?.[kind],
      onEpoch: (e) => progress(`fit ${kind}`, e, fitted_epochs(kind, options)),
    });
    const logits = logitsOf(fitted.net, zVal, validation.width);
    const platt = fitPlatt(logits, validation.y);
    const val = summarise(logits.map((z) => applyPlatt(platt, z)), validation.y);
    log.info({ kind, val_pr_auc: val.pr_auc, val_auc: val.auc }, 'candidate fitted');
    candidates.push({ kind, fitted, platt, val });
  }
  const best = candidates.reduce((a, b) => (b.val.pr_auc > a.val.pr_auc ? b : a));
  const testLogits = logitsOf(best.fitted.net, zTest, test.width);
  const testProb = testLogits.map((z) => applyPlatt(best.platt, z));

  const fingerprint = createHash('sha256');
  for (const e of [train, validation, test]) fingerprint.update(Buffer.from(e.x.buffer)).update(Buffer.from(e.y.buffer));
  const digest = fingerprint.digest('hex');
  const hyperHash = createHash('sha256').update(JSON.stringify({ h: best.fitted.hyper, digest })).digest('hex').slice(0, 8);
  const id = `ews-${formatDay(options.asOf).replaceAll('-', '')}-${best.kind}-${hyperHash}`;

  const meta: ModelMeta = {
    id,
    kind: best.kind,
    created_at: new Date().toISOString(),
    as_of: formatDay(options.asOf),
    horizon_days: options.horizonDays,
    seed,
    features: [...FEATURE_NAMES],
    standardiser: std,
    calibration: best.platt,
    hyper: best.fitted.hyper,
    window: { train: split.train.map(formatDay), validation: split.validation.map(formatDay), test: split.test.map(formatDay), gap_relaxed: split.gapRelaxed },
    fingerprint: digest,
    backend,
    treated_examples_excluded: excludedTreated,
    metrics: {
      n_train: train.length,
      test: summarise(testProb, test.y),
      validation: Object.fromEntries(candidates.map((c) => [c.kind, c.val])),
      baselines: await baselineMetrics(p, test, split.test, { train, validation, seed }),
      reliability: reliability(testProb, test.y),
    },
  };
  meta.reference = {
    // The latest labelled block: the students most like the ones the model will score next.
    features: Object.fromEntries(FEATURE_NAMES.map((name, c) => [name, referenceOf(Float64Array.from({ length: test.length }, (_, i) => test.x[i * test.width + c]))])),
    risk: referenceOf(testProb),
  };
  const chosen: ScoringModel = { kind: best.kind, features: meta.features, standardiser: std, calibration: best.platt, net: best.fitted.net };
  meta.fairness = auditFairness(p, { ...chosen, meta: { id } }, split.test, options.horizonDays);
  const folder = await saveModel(options.dir ?? modelsDir(), best.fitted.model, meta, modelCard(meta));
  for (const c of candidates) c.fitted.model.dispose();
  return { meta, folder, model: chosen, line: metricsLine(meta) };
}

function fitted_epochs(kind: ModelKind, o: TrainOptions): number {
  return o.epochs?.[kind] ?? (kind === 'logistic' ? 8 : 14);
}

export function metricsLine(meta: ModelMeta): Record<string, unknown> {
  const t = meta.metrics.test;
  return {
    model_id: meta.id,
    kind: meta.kind,
    auc: t.auc,
    pr_auc: t.pr_auc,
    brier: t.brier,
    precision_at_10pct: t.precision_at_10pct,
    recall_at_10pct: t.recall_at_10pct,
    n_train: meta.metrics.n_train,
    n_test: t.n,
    positives_test: t.positives,
    ece: meta.metrics.reliability.ece,
    fairness_passes: meta.fairness?.passes,
    baselines: Object.fromEntries(Object.entries(meta.metrics.baselines).map(([k, m]) => [k, { auc: m.auc, pr_auc: m.pr_auc, recall_at_10pct: m.recall_at_10pct }])),
  };
}

function logitsOf(net: DenseStack, z: Float32Array, width: number): Float64Array {
  const n = z.length / width;
  const out = new Float64Array(n);
  const scratch = scratchFor(net);
  for (let i = 0; i < n; i++) out[i] = logitOf(net, z.subarray(i * width, (i + 1) * width), scratch);
  return out;
}

/** The baselines every model must beat, measured on the same test examples. */
async function baselineMetrics(
  p: Prepared,
  test: Examples,
  testDates: Day[],
  ctx: { train: Examples; validation: Examples; seed: number },
): Promise<Record<string, Metrics>> {
  const unexcused = new Float64Array(test.length);
  const school = new Float64Array(test.length);
  let at = 0;
  for (const d of testDates) {
    const m = buildFeatures(p, d);
    unexcused.set(unexcusedRateScore(m), at);
    school.set(schoolRateScore(p.district, m), at);
    at += m.rows;
  }
  // A plain logistic regression on raw counts: no scaling, no derived features.
  const cols = RAW_COUNT_FEATURES.map((f) => FEATURE_NAMES.indexOf(f));
  const pick = (e: Examples) => {
    const out = new Float32Array(e.length * cols.length);
    for (let i = 0; i < e.length; i++) cols.forEach((c, k) => (out[i * cols.length + k] = e.x[i * e.width + c]));
    return out;
  };
  const raw = await fitNetwork(pick(ctx.train), ctx.train.y, cols.length, { kind: 'logistic', seed: ctx.seed, l2: 0 });
  const platt = fitPlatt(logitsOf(raw.net, pick(ctx.validation), cols.length), ctx.validation.y);
  const rawProb = logitsOf(raw.net, pick(test), cols.length).map((z) => applyPlatt(platt, z));
  raw.model.dispose();
  return {
    unexcused_rate: summarise(unexcused, test.y),
    school_rate: summarise(school, test.y),
    raw_counts_logistic: summarise(rawProb, test.y),
  };
}

/** Keeps every positive and a seeded sample of negatives, so at most `max` rows remain. */
function downsampleNegatives(e: Examples, max: number, seed: number): Examples {
  if (e.length <= max) return e;
  let pos = 0;
  for (let i = 0; i < e.length; i++) pos += e.y[i];
  const keepNeg = Math.max(0, max - pos) / Math.max(1, e.length - pos);
  const r = new Random(seed, 17);
  log.info({ rows: e.length, kept_negative_share: keepNeg }, 'negatives sampled for training');
  return subset(e, (i) => e.y[i] === 1 || r.next() < keepNeg);
}

/**
 * The first day a student's school life was recorded (attendance, an exam, a canteen meal, a
 * screening): examples start four weeks after it. Aid and family rows are left out, since a
 * poverty registration can be years older than anything else in the folder.
 */
export function firstDataDay(p: Prepared): Day {
  let first = Number.POSITIVE_INFINITY;
  for (const rows of [p.attendance.day, p.grades.day, p.meal?.day, p.wellbeing?.day]) {
    if (rows) for (const d of rows) if (d < first) first = d;
  }
  if (!Number.isFinite(first)) {
    throw new EwsError('EWS_NO_EXAMPLES', 'no attendance, grade, canteen or screening row in the folder: nothing to learn from');
  }
  return first;
}
