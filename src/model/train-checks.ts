import { formatDay, type Day } from '../dates/index.js';
import { FEATURE_NAMES } from '../features/index.js';
import { EwsError } from '../errors/index.js';
import type { Examples, TemporalSplit } from './dataset.js';
import type { Metrics } from './metrics.js';

/** What training refuses, each with one line naming the dates, the counts and the reason. */

export function positivesOf(e: Examples): number {
  let pos = 0;
  for (let i = 0; i < e.length; i++) pos += e.y[i];
  return pos;
}

export function blockText(dates: readonly Day[], e: Examples): string {
  const span = dates.length > 0 ? `${formatDay(dates[0])} … ${formatDay(dates[dates.length - 1])}` : 'no dates';
  return `${span}, ${e.length} examples, ${positivesOf(e)} dropouts`;
}

/** An empty block, or one without a dropout, cannot train, calibrate or measure a model. */
export function refuseEmptyBlocks(split: TemporalSplit, blocks: Record<'train' | 'validation' | 'test', Examples>, asOf: Day, horizonDays: number): void {
  for (const name of ['train', 'validation', 'test'] as const) {
    const e = blocks[name];
    const where = `as of ${formatDay(asOf)} with a ${horizonDays}-day horizon, the ${name} block (${blockText(split[name], e)})`;
    if (e.length === 0) throw new EwsError('EWS_NO_EXAMPLES', `${where} holds no student on the roll`);
    if (positivesOf(e) === 0) {
      throw new EwsError(
        'EWS_NO_EXAMPLES',
        `${where} has no dropout on record: with no dropout history yet, score with rule-based tiers (ews run --model rules) until outcomes arrive`,
      );
    }
  }
}

/**
 * A model is only worth a head teacher's time if it ranks clearly better than the school's own
 * rate: by more than two standard errors of its AUC (Hanley & McNeil, 1982), so that a model
 * trained on noise that beats the rate by luck is refused too.
 */
export function refuseWorseThanSchoolRate(m: Metrics, school: Metrics, kind: string, dates: readonly Day[], test: Examples): void {
  if (!Number.isFinite(m.auc))
    throw new EwsError('EWS_MODEL_REFUSED', `the ${kind} model's AUC on the test block (${blockText(dates, test)}) cannot be computed`);
  // Chance is the floor: a school rate that ranks below chance on this block must not lower the bar.
  const base = Number.isFinite(school.auc) ? Math.max(0.5, school.auc) : 0.5;
  const needed = base + 2 * aucStandardError(m.auc, m.positives, m.n - m.positives);
  if (!(m.auc > needed)) {
    throw new EwsError(
      'EWS_MODEL_REFUSED',
      `the ${kind} model ranks no better than the school's dropout rate on the test block (${blockText(dates, test)}): AUC ${m.auc.toFixed(3)} against ${base.toFixed(3)}; it needs more than ${needed.toFixed(3)} (two standard errors above)`,
    );
  }
}

/**
 * The chosen model must rank above chance on the validation block too, by two standard errors: a
 * model that learned nothing there and beats the school rate on the test block has been lucky once.
 */
export function refuseChanceOnValidation(m: Metrics, kind: string, dates: readonly Day[], validation: Examples): void {
  const needed = 0.5 + 2 * aucStandardError(m.auc, m.positives, m.n - m.positives);
  if (!(m.auc > needed)) {
    throw new EwsError(
      'EWS_MODEL_REFUSED',
      `the ${kind} model ranks no better than chance on the validation block (${blockText(dates, validation)}): AUC ${Number.isFinite(m.auc) ? m.auc.toFixed(3) : 'n/a'}; it needs more than ${needed.toFixed(3)} (two standard errors above 0.5)`,
    );
  }
}

/** Hanley & McNeil's standard error of an AUC from its positives and negatives. */
export function aucStandardError(a: number, pos: number, neg: number): number {
  if (pos === 0 || neg === 0) return Number.POSITIVE_INFINITY;
  const q1 = a / (2 - a);
  const q2 = (2 * a * a) / (1 + a);
  return Math.sqrt(Math.max(0, (a * (1 - a) + (pos - 1) * (q1 - a * a) + (neg - 1) * (q2 - a * a)) / (pos * neg)));
}

export function allFinite(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

/**
 * The inputs a model gets: every registered feature that varies on the training rows. A feature
 * constant there (a source the district does not have, a flag nobody carries) teaches nothing and
 * would read as a signal if it ever moved; it is left out, and the model card says so.
 */
export function chooseInputs(train: Examples): { used: string[]; leftOut: { feature: string; reason: string }[] } {
  const used: string[] = [];
  const leftOut: { feature: string; reason: string }[] = [];
  FEATURE_NAMES.forEach((name, c) => {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < train.length; i++) {
      const v = train.x[i * train.width + c];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi > lo) used.push(name);
    else leftOut.push({ feature: name, reason: `constant (${Number.isFinite(lo) ? lo : 'no value'}) on every training example` });
  });
  if (used.length === 0) throw new EwsError('EWS_NO_EXAMPLES', `every feature is constant on the ${train.length} training examples: nothing to learn from`);
  return { used, leftOut };
}

/** Rows of `e` with only the columns `cols`, in that order. */
export function pickColumns(e: Examples, cols: readonly number[]): Float32Array {
  const out = new Float32Array(e.length * cols.length);
  for (let i = 0; i < e.length; i++) for (let k = 0; k < cols.length; k++) out[i * cols.length + k] = e.x[i * e.width + cols[k]];
  return out;
}
