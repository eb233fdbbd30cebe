import { mean, quantile } from 'simple-statistics';
import { formatDay, type Day } from '../dates/index.js';
import { buildFeatures, FEATURE_NAMES, featureIndex, type FeatureMatrix, type Prepared } from '../features/index.js';
import { dropoutLabels } from '../model/labels.js';
import { fitPlainLogistic, plainLogit } from '../model/plain-logistic.js';
import { Random } from '../util/random.js';

/** A kind of follow-up a student first received on a day (a case step's kind, or the step itself). */
export interface StepRecord {
  student: number;
  day: Day;
  kind: string;
}

/** Weeks after the step over which outcomes are read: the 8-week features (unexcused share) fit it exactly. */
export const FOLLOW_WEEKS = 8;
/** Fewer matched pairs than this and an estimate is not given: "too few to say". */
export const MIN_PAIRS = 20;
/** A match further apart than this (in SDs of the propensity logit) is no match (Austin, 2011). */
const CALIPER = 0.2;
const DRAWS = 1000;

export interface OutcomeEffect {
  outcome: 'dropout' | 'unexcused_share' | 'grade_standing';
  /** Pairs with the outcome on both sides (attendance and grades need both still on the roll). */
  n: number;
  treated_mean: number;
  control_mean: number;
  /** Treated minus control: a drop in dropout or unexcused share is help; a rise in standing is help. */
  effect: number;
  ci: [number, number];
  /** The interval excludes no effect. */
  found: boolean;
}

export interface EffectEstimate {
  kind: string;
  /** Students who first received it with the whole follow-up window before the as-of date. */
  treated: number;
  /** …and those still waiting for their window to close. */
  pending: number;
  /** Left out: another kind of step came during their follow-up. */
  mixed: number;
  pairs: number;
  too_few: boolean;
  statement: string;
  outcomes: OutcomeEffect[];
  /** The unmatched comparison (everyone else on the roll), to show what matching corrected. */
  naive_dropout_effect: number;
  /** Standardised mean differences of the inputs before and after matching, worst first. */
  balance: { feature: string; before: number; after: number }[];
  max_abs_smd_after: number;
}

export interface EffectsReport {
  as_of: string;
  follow_weeks: number;
  method: string;
  estimates: EffectEstimate[];
}

export const METHOD =
  'risk-set matching: each student who received a kind of step (and no other kind during the follow-up) is matched, on the week before it, to a student on the roll that week who received no follow-up step at all by the end of the follow-up, nearest on a propensity score (logistic regression on every feature ews computes as of that week), 1:1 without replacement within 0.2 SD of its logit; outcomes over the following 8 weeks; 95% intervals by a bootstrap of the pairs';

/**
 * Did the help help? For each kind of step, students who received it against comparable students
 * who did not, matched on what was known the week before (their features, from which their risk is
 * computed). Outcomes: dropping out within the follow-up, the unexcused share over it against the
 * 4 weeks before, and class standing at its end against the week before.
 */
export function estimateEffects(p: Prepared, steps: readonly StepRecord[], o: { asOf: Day; seed?: number }): EffectsReport {
  const horizon = 7 * FOLLOW_WEEKS;
  const first = new Map<string, StepRecord>();
  for (const s of steps) {
    const key = `${s.kind}\u0001${s.student}`;
    const had = first.get(key);
    if (!had || s.day < had.day) first.set(key, s);
  }
  const byKind = new Map<string, StepRecord[]>();
  for (const s of first.values()) byKind.set(s.kind, [...(byKind.get(s.kind) ?? []), s]);
  const matrices = new Map<Day, FeatureMatrix>();
  const features = (d: Day) => {
    let m = matrices.get(d);
    if (!m) matrices.set(d, (m = buildFeatures(p, d)));
    return m;
  };
  // A student's first day of any help: controls are students not helped at all by the end of the follow-up.
  const firstHelp = new Map<number, Day>();
  for (const s of first.values()) firstHelp.set(s.student, Math.min(s.day, firstHelp.get(s.student) ?? Number.POSITIVE_INFINITY));
  const stepsOf = new Map<number, StepRecord[]>();
  for (const s of first.values()) stepsOf.set(s.student, [...(stepsOf.get(s.student) ?? []), s]);
  const estimates = [...byKind.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([kind, received]) =>
      estimateKind(p, kind, received, { asOf: o.asOf, horizon, firstHelp, stepsOf }, features, new Random(o.seed ?? 1, 41, kind.length)),
    );
  return { as_of: formatDay(o.asOf), follow_weeks: FOLLOW_WEEKS, method: METHOD, estimates };
}

function estimateKind(
  p: Prepared,
  kind: string,
  received: StepRecord[],
  o: { asOf: Day; horizon: number; firstHelp: ReadonlyMap<number, Day>; stepsOf: ReadonlyMap<number, StepRecord[]> },
  features: (d: Day) => FeatureMatrix,
  rng: Random,
): EffectEstimate {
  const { asOf, horizon } = o;
  // The week before each step, on the as-of date's weekly grid.
  const baseline = (day: Day) => asOf - 7 * (Math.floor((asOf - day) / 7) + 1);
  const closed = received.filter((s) => baseline(s.day) + horizon <= asOf);
  // This kind alone: a student who also got another kind during the follow-up measures the mix, not this step.
  const ready = closed.filter((s) => {
    const b = baseline(s.day);
    return !(o.stepsOf.get(s.student) ?? []).some((x) => x.kind !== kind && x.day > b && x.day <= b + horizon);
  });
  const byWeek = new Map<Day, number[]>();
  for (const s of ready) byWeek.set(baseline(s.day), [...(byWeek.get(baseline(s.day)) ?? []), s.student]);

  // Rows for the propensity model: every treated student, and up to 20 untreated for each, per week.
  const width = FEATURE_NAMES.length;
  const xs: number[] = [];
  const ys: number[] = [];
  const weekRows = new Map<Day, { m: FeatureMatrix; treated: number[]; controls: number[] }>();
  for (const [b, students] of byWeek) {
    const m = features(b);
    const row = new Map<number, number>();
    for (let r = 0; r < m.rows; r++) row.set(m.students[r], r);
    const treated = students.map((s) => row.get(s)).filter((r): r is number => r !== undefined);
    const controls: number[] = [];
    for (let r = 0; r < m.rows; r++) {
      const helped = o.firstHelp.get(m.students[r]);
      if (helped === undefined || helped > b + horizon) controls.push(r);
    }
    weekRows.set(b, { m, treated, controls });
    const sample = Math.min(1, (20 * treated.length) / Math.max(1, controls.length));
    for (const r of treated) pushRow(xs, ys, m, r, 1);
    for (const r of controls) if (rng.next() < sample) pushRow(xs, ys, m, r, 0);
  }
  const treatedCount = [...weekRows.values()].reduce((a, w) => a + w.treated.length, 0);
  const base = {
    kind,
    treated: treatedCount,
    pending: received.length - closed.length,
    mixed: closed.length - ready.length,
    naive_dropout_effect: Number.NaN,
    balance: [],
    max_abs_smd_after: Number.NaN,
  };
  if (treatedCount < MIN_PAIRS) return { ...base, pairs: 0, too_few: true, statement: tooFew(kind, treatedCount, 0), outcomes: [] };

  const fit = fitPlainLogistic(Float32Array.from(xs), Uint8Array.from(ys), width, 1e-3);
  const logitOf = (m: FeatureMatrix, r: number) => plainLogit(fit, m.values, r * m.width);
  const allLogits: number[] = [];
  for (let i = 0; i < ys.length; i++) allLogits.push(plainLogit(fit, xs, i * width));
  const sd = Math.sqrt(mean(allLogits.map((v) => (v - mean(allLogits)) ** 2))) || 1;

  // Matching, week by week: the nearest unused untreated student within the caliper.
  const pairs: { b: Day; m: FeatureMatrix; t: number; c: number }[] = [];
  const naive = { t: [] as number[], c: [] as number[] };
  const before = { t: [] as Float32Array[], c: [] as Float32Array[] };
  for (const [b, w] of weekRows) {
    const cl = w.controls.map((r) => ({ r, z: logitOf(w.m, r) })).sort((a, c) => a.z - c.z);
    const used = new Uint8Array(cl.length);
    const yb = dropoutLabels(p.district, w.m.students, b, horizon);
    for (const r of w.controls) naive.c.push(yb[r]);
    for (const r of w.controls.slice(0, 4 * w.treated.length + 50)) before.c.push(rowOf(w.m, r));
    for (const t of w.treated) {
      naive.t.push(yb[t]);
      before.t.push(rowOf(w.m, t));
      const z = logitOf(w.m, t);
      let lo = 0;
      let hi = cl.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cl[mid].z < z) lo = mid + 1;
        else hi = mid;
      }
      // The closest unused on each side, within the caliper; the nearer of the two.
      let left = lo - 1;
      while (left >= 0 && used[left]) left--;
      let right = lo;
      while (right < cl.length && used[right]) right++;
      const dl = left >= 0 ? z - cl[left].z : Number.POSITIVE_INFINITY;
      const dr = right < cl.length ? cl[right].z - z : Number.POSITIVE_INFINITY;
      const best = Math.min(dl, dr) <= CALIPER * sd ? (dl <= dr ? left : right) : -1;
      if (best < 0) continue;
      used[best] = 1;
      pairs.push({ b, m: w.m, t, c: cl[best].r });
    }
  }
  const balance = FEATURE_NAMES.map((feature, c) => ({
    feature,
    before: smd(
      before.t.map((x) => x[c]),
      before.c.map((x) => x[c]),
    ),
    after: smd(
      pairs.map((q) => q.m.values[q.t * q.m.width + c]),
      pairs.map((q) => q.m.values[q.c * q.m.width + c]),
    ),
  }))
    .filter((x) => Number.isFinite(x.before))
    .sort((a, b) => Math.abs(b.before) - Math.abs(a.before));
  const withNaive = {
    ...base,
    naive_dropout_effect: mean(naive.t) - mean(naive.c),
    balance: balance.slice(0, 8),
    max_abs_smd_after: Math.max(0, ...balance.map((x) => Math.abs(x.after)).filter(Number.isFinite)),
  };
  if (pairs.length < MIN_PAIRS) return { ...withNaive, pairs: pairs.length, too_few: true, statement: tooFew(kind, treatedCount, pairs.length), outcomes: [] };

  const outcomes = [
    outcomeEffect('dropout', pairs, (q, r) => dropoutLabels(p.district, Int32Array.of(q.m.students[r]), q.b, horizon)[0], rng),
    outcomeEffect('unexcused_share', pairs, afterMinusBefore(features, horizon, 'att_unexcused_rate_8w', 'att_unexcused_rate_4w'), rng),
    outcomeEffect('grade_standing', pairs, afterMinusBefore(features, horizon, 'grade_z_class', 'grade_z_class', 'grade_missing'), rng),
  ];
  const d = outcomes[0];
  return {
    ...withNaive,
    pairs: pairs.length,
    too_few: false,
    statement: `${kind}: ${pairs.length} students matched; dropout within ${FOLLOW_WEEKS} weeks ${pct(d.treated_mean)} against ${pct(d.control_mean)} (${sign(
      d.effect * 100,
    )} points, 95% ${sign(d.ci[0] * 100)} to ${sign(d.ci[1] * 100)})${d.found ? '' : ': no effect shown'}`,
    outcomes,
  };
}

type Pair = { b: Day; m: FeatureMatrix; t: number; c: number };

/** A feature read after the follow-up minus before it, for a student on the roll at both ends (else none). */
function afterMinusBefore(features: (d: Day) => FeatureMatrix, horizon: number, after: string, beforeName: string, missing?: string) {
  const [a, b, miss] = [featureIndex(after), featureIndex(beforeName), missing ? featureIndex(missing) : -1];
  const rows = new Map<FeatureMatrix, Map<number, number>>();
  const rowIn = (m: FeatureMatrix, s: number) => {
    let index = rows.get(m);
    if (!index) {
      index = new Map();
      for (let r = 0; r < m.rows; r++) index.set(m.students[r], r);
      rows.set(m, index);
    }
    return index.get(s);
  };
  return (q: Pair, r: number): number | null => {
    const end = features(q.b + horizon);
    const s = q.m.students[r];
    const e = rowIn(end, s);
    if (e === undefined) return null; // left, or off the roll: no attendance or standing after
    if (miss >= 0 && (q.m.values[r * q.m.width + miss] > 0 || end.values[e * end.width + miss] > 0)) return null;
    return end.values[e * end.width + a] - q.m.values[r * q.m.width + b];
  };
}

function outcomeEffect(name: OutcomeEffect['outcome'], pairs: Pair[], value: (q: Pair, r: number) => number | null, rng: Random): OutcomeEffect {
  const t: number[] = [];
  const c: number[] = [];
  for (const q of pairs) {
    const a = value(q, q.t);
    const b = value(q, q.c);
    if (a === null || b === null) continue;
    t.push(a);
    c.push(b);
  }
  if (t.length < MIN_PAIRS)
    return { outcome: name, n: t.length, treated_mean: Number.NaN, control_mean: Number.NaN, effect: Number.NaN, ci: [Number.NaN, Number.NaN], found: false };
  const diffs = t.map((v, i) => v - c[i]);
  const draws: number[] = [];
  for (let k = 0; k < DRAWS; k++) {
    let s = 0;
    for (let i = 0; i < diffs.length; i++) s += diffs[Math.floor(rng.next() * diffs.length)];
    draws.push(s / diffs.length);
  }
  const ci: [number, number] = [quantile(draws, 0.025), quantile(draws, 0.975)];
  return { outcome: name, n: t.length, treated_mean: mean(t), control_mean: mean(c), effect: mean(diffs), ci, found: ci[0] > 0 || ci[1] < 0 };
}

function pushRow(xs: number[], ys: number[], m: FeatureMatrix, r: number, y: number) {
  for (let c = 0; c < m.width; c++) xs.push(m.values[r * m.width + c]);
  ys.push(y);
}

function rowOf(m: FeatureMatrix, r: number): Float32Array {
  return m.values.subarray(r * m.width, (r + 1) * m.width);
}

/** Standardised mean difference: the gap in pooled standard deviations. */
function smd(a: number[], b: number[]): number {
  if (a.length < 2 || b.length < 2) return Number.NaN;
  const [ma, mb] = [mean(a), mean(b)];
  const va = mean(a.map((v) => (v - ma) ** 2));
  const vb = mean(b.map((v) => (v - mb) ** 2));
  const pooled = Math.sqrt((va + vb) / 2);
  return pooled > 1e-12 ? (ma - mb) / pooled : ma === mb ? 0 : Number.NaN;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const sign = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;

function tooFew(kind: string, treated: number, pairs: number): string {
  return `${kind}: too few to say — ${treated} students received it with a whole ${FOLLOW_WEEKS}-week follow-up, ${pairs} matched; at least ${MIN_PAIRS} are needed`;
}
