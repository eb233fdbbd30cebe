import { formatDay, type Day } from '../dates/index.js';
import { buildFeatures, type Prepared } from '../features/index.js';
import { GENDERS, type District } from '../sources/index.js';
import { ranksWithin } from '../scoring/ranks.js';
import { assignTiers, TIER_DEFAULTS, type TierOptions } from '../scoring/tiers.js';
import { quantile } from 'simple-statistics';
import { Random } from '../util/random.js';
import { dropoutLabels } from './labels.js';
import { scoreMatrix, type ScoringModel } from './scorer.js';

export const AUDITED = ['rural_hukou', 'gender', 'left_behind', 'ethnic_minority', 'disability'] as const;
/**
 * Intersections reported beside the attributes (rural × left-behind, gender × minority): where a group is
 * large enough they show who the single attributes average over. Reported, not gated (the gate judges the
 * attributes, as before).
 */
export const INTERSECTIONS = [
  ['rural_hukou', 'left_behind'],
  ['gender', 'ethnic_minority'],
] as const;
const UNBOUNDED = 1e12;
/** Bootstrap draws behind each disparity's interval. */
const DRAWS = 1000;

/** Disparity ratios inside this band are taken as parity (the four-fifths rule and its inverse). */
export const PARITY_BAND = [0.8, 1.25] as const;
/** Groups with fewer dropouts than this are reported but not judged: their recall is noise. */
export const MIN_POSITIVES = 5;

export interface GroupAudit {
  attribute: string;
  value: string;
  n: number;
  positives: number;
  /** Distinct students among the dropouts (a student listed in four weeks counts once here). */
  leavers: number;
  flagged: number;
  recall: number;
  precision: number;
  fpr: number;
  recall_disparity: number;
  precision_disparity: number;
  fpr_disparity: number;
  reference: boolean;
  /** The recall disparity (a point estimate) lies outside the parity band. */
  outside_band: boolean;
  /**
   * Judged unfair: outside the band, and its 95% interval excludes parity (1), so the gap is not
   * the noise of a few dropouts; or, with enough dropouts, no disparity can be computed at all.
   */
  fails: boolean;
  too_few_positives: boolean;
  /** Enough dropouts to judge, but no disparity to judge by: counted as a failure. */
  undetermined: boolean;
  /**
   * A 95% interval for the recall disparity (a bootstrap of the group's and the reference's found dropouts,
   * each a binomial draw at its own recall); null where there are too few dropouts to judge.
   */
  recall_disparity_ci: [number, number] | null;
  /** An intersection (rural_hukou×left_behind …): reported, not gated. */
  intersection?: boolean;
}

export interface FairnessAudit {
  model_id: string;
  as_of: string;
  k: number;
  dates: string[];
  groups: GroupAudit[];
  passes: boolean;
}

/** Rows to audit: student `student[i]` as of `asOf[i]`, who left within the horizon when `y[i]` is 1. */
export interface AuditRows {
  readonly student: Int32Array;
  readonly asOf: Int32Array;
  readonly y: Uint8Array;
  readonly length: number;
}

/**
 * An Aequitas-style audit at the list size actually used: `flagged` is the high tier (top k of a
 * class above the floor), and for each attribute each group's recall, precision and false-positive
 * rate are compared with the largest group's. Counts are summed over `dates`.
 */
export function auditFairness(
  p: Prepared,
  model: ScoringModel & { meta?: { id: string } },
  dates: readonly Day[],
  horizonDays: number,
  tiers: TierOptions = {},
): FairnessAudit {
  const parts = dates.map((asOf) => {
    const m = buildFeatures(p, asOf);
    return { m, y: dropoutLabels(p.district, m.students, asOf, horizonDays), risk: scoreMatrix(model, m).risk };
  });
  const n = parts.reduce((a, q) => a + q.m.rows, 0);
  const rows = { student: new Int32Array(n), asOf: new Int32Array(n), y: new Uint8Array(n), length: n };
  const risk = new Float64Array(n);
  let at = 0;
  for (const q of parts) {
    rows.student.set(q.m.students, at);
    rows.asOf.fill(q.m.asOf, at, at + q.m.rows);
    rows.y.set(q.y, at);
    risk.set(q.risk, at);
    at += q.m.rows;
  }
  return auditRisk(p.district, rows, risk, { tiers, modelId: model.meta?.id });
}

/**
 * The audit of given risks: each row's list is its class on its date, so a block of weekly
 * examples is audited as the weeks' lists would have been drawn.
 */
export function auditRisk(d: District, rows: AuditRows, risk: ArrayLike<number>, o: { tiers?: TierOptions; modelId?: string } = {}): FairnessAudit {
  const tiers = o.tiers ?? {};
  const cells = new Map<string, { n: number; pos: number; flagged: number; tp: number; fp: number; who: Set<number> }>();
  const values = attributeValues(d);
  const tier = listTiers(d, rows, risk, tiers);
  const dates = [...new Set(rows.asOf)].sort((a, b) => a - b);
  for (let r = 0; r < rows.length; r++) {
    const s = rows.student[r];
    const y = rows.y[r];
    const flagged = tier[r] === 'high' ? 1 : 0;
    const keys = [
      ...AUDITED.map((attribute) => `${attribute}\u0001${values[attribute](s)}`),
      ...INTERSECTIONS.map(([x, z]) => `${x}×${z}\u0001${values[x](s)}×${values[z](s)}`),
    ];
    for (const key of keys) {
      const c = cells.get(key) ?? { n: 0, pos: 0, flagged: 0, tp: 0, fp: 0, who: new Set<number>() };
      c.n++;
      c.pos += y;
      if (y) c.who.add(s);
      c.flagged += flagged;
      c.tp += flagged & y;
      c.fp += flagged & (1 - y);
      cells.set(key, c);
    }
  }
  const of = (attribute: string) =>
    [...cells].filter(([k]) => k.startsWith(`${attribute}\u0001`)).map(([k, { who, ...c }]) => ({ value: k.split('\u0001')[1], ...c, leavers: who.size }));
  const groups = [
    ...AUDITED.flatMap((attribute) => judgeGroups(attribute, of(attribute))),
    ...INTERSECTIONS.flatMap(([x, z]) =>
      judgeGroups(`${x}×${z}`, of(`${x}×${z}`)).map((g) => ({ ...g, intersection: true, fails: false, undetermined: false })),
    ),
  ];
  return {
    model_id: o.modelId ?? '',
    as_of: dates.length > 0 ? formatDay(dates[dates.length - 1]) : '',
    k: tiers.highPerClass ?? TIER_DEFAULTS.highPerClass,
    dates: dates.map(formatDay),
    groups,
    passes: !groups.some((g) => g.fails && !g.intersection),
  };
}

/** Each audited attribute's group of a student, as text ('1', '0', 'unknown', or a gender). */
export function attributeValues(d: District): Record<(typeof AUDITED)[number], (s: number) => string> {
  return {
    rural_hukou: flag(d.students.int8('rural_hukou')),
    left_behind: flag(d.students.int8('left_behind')),
    ethnic_minority: flag(d.students.int8('ethnic_minority')),
    disability: flag(d.students.int8('disability')),
    gender: (s) => {
      const g = d.students.uint8('gender')[s];
      return g < GENDERS.length ? GENDERS[g] : 'unknown';
    },
  };
}

/** Each row's tier on its date's list: ranked within its class and date, as a weekly run ranks. */
export function listTiers(d: District, rows: AuditRows, risk: ArrayLike<number>, tiers: TierOptions = {}) {
  const classOf = d.roster.classOf;
  let classes = 1;
  for (let i = 0; i < classOf.length; i++) if (classOf[i] >= classes) classes = classOf[i] + 1;
  let first = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rows.length; i++) if (rows.asOf[i] < first) first = rows.asOf[i];
  const group = Float64Array.from({ length: rows.length }, (_, i) => (rows.asOf[i] - first) * classes + classOf[rows.student[i]]);
  return assignTiers(ranksWithin(group, risk), risk, tiers);
}

export interface GroupCounts {
  value: string;
  n: number;
  pos: number;
  flagged: number;
  tp: number;
  fp: number;
  /**
   * Distinct students among the dropouts: weekly lists count a student who left once a week, so a
   * group's evidence is its students, not its student-weeks. Default `pos`.
   */
  leavers?: number;
}

/**
 * One attribute's groups, each against the largest. A group with enough dropouts is judged: it
 * fails outside the band when its interval excludes parity — a ratio of 0.7 on 30 dropouts (an
 * interval of 0.3–1.4) is reported, marked, and not yet a verdict — and it fails too when its
 * disparity cannot be computed (the reference found none of its dropouts, or has too few to say):
 * a judgement that cannot be made is not a pass.
 */
export function judgeGroups(attribute: string, rows: GroupCounts[]): GroupAudit[] {
  if (rows.length === 0) return [];
  const ref = rows.reduce((a, b) => (b.n > a.n ? b : a), rows[0]);
  const rate = (c: GroupCounts) => ({
    recall: c.pos > 0 ? c.tp / c.pos : Number.NaN,
    precision: c.flagged > 0 ? c.tp / c.flagged : Number.NaN,
    fpr: c.n - c.pos > 0 ? c.fp / (c.n - c.pos) : Number.NaN,
  });
  const r0 = rate(ref);
  return [...rows]
    .sort((a, b) => b.n - a.n)
    .map((c) => {
      const r = rate(c);
      const recallDisparity = r.recall / r0.recall;
      const tooFew = (c.leavers ?? c.pos) < MIN_POSITIVES;
      const undetermined = !tooFew && c !== ref && ((ref.leavers ?? ref.pos) < MIN_POSITIVES || !Number.isFinite(recallDisparity));
      const outside = undetermined || (!tooFew && (recallDisparity < PARITY_BAND[0] || recallDisparity > PARITY_BAND[1]));
      const ci = tooFew || c === ref || (ref.leavers ?? ref.pos) < MIN_POSITIVES ? null : disparityInterval(c, ref, `${attribute}|${c.value}`);
      return {
        attribute,
        value: c.value,
        n: c.n,
        positives: c.pos,
        leavers: c.leavers ?? c.pos,
        flagged: c.flagged,
        ...r,
        recall_disparity: recallDisparity,
        precision_disparity: r.precision / r0.precision,
        fpr_disparity: r.fpr / r0.fpr,
        reference: c === ref,
        outside_band: outside,
        fails: undetermined || (outside && ci !== null && (ci[0] > 1 || ci[1] < 1)),
        too_few_positives: tooFew,
        undetermined,
        recall_disparity_ci: ci,
      };
    });
}

/**
 * A parametric bootstrap of a recall ratio: each draw redraws the group's and the reference's found dropouts
 * as binomials at their observed recall — over their distinct students who left, not their student-weeks, since
 * the weeks of one student are one piece of evidence seen several times — and takes the ratio; the 2.5th and 97.5th percentiles (through
 * simple-statistics) bound it. Seeded by the group, so an audit gives the same interval every time.
 */
export function disparityInterval(
  g: { pos: number; tp: number; leavers?: number },
  ref: { pos: number; tp: number; leavers?: number },
  seed: string,
): [number, number] {
  const rng = new Random(...[...seed].map((ch) => ch.charCodeAt(0)));
  const binomial = (n: number, p: number) => {
    const v = n * p * (1 - p);
    if (v > 25) {
      // Large counts: the normal approximation (Box–Muller), so a million-student audit stays quick.
      const z = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
      return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(v) * z)));
    }
    let k = 0;
    for (let i = 0; i < n; i++) if (rng.next() < p) k++;
    return k;
  };
  const ng = Math.max(1, Math.min(g.pos, g.leavers ?? g.pos));
  const nr = Math.max(1, Math.min(ref.pos, ref.leavers ?? ref.pos));
  const ratios: number[] = [];
  for (let i = 0; i < DRAWS; i++) {
    const a = binomial(ng, g.tp / g.pos) / ng;
    const b = binomial(nr, ref.tp / ref.pos) / nr;
    // A draw where the reference finds none has no finite ratio: it counts as the widest (the interval says so).
    ratios.push(b > 0 ? a / b : UNBOUNDED);
  }
  // An unbounded draw stands in as a large finite number, so the percentiles interpolate; it is read back as ∞.
  const back = (v: number) => (v >= UNBOUNDED ? Number.POSITIVE_INFINITY : v);
  return [back(quantile(ratios, 0.025)), back(quantile(ratios, 0.975))];
}

function flag(v: Int8Array): (s: number) => string {
  return (s) => (v[s] === 1 ? '1' : v[s] === 0 ? '0' : 'unknown');
}
