import { formatDay, type Day } from '../dates/index.js';
import { buildFeatures, type Prepared } from '../features/index.js';
import { GENDERS } from '../sources/index.js';
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
  flagged: number;
  recall: number;
  precision: number;
  fpr: number;
  recall_disparity: number;
  precision_disparity: number;
  fpr_disparity: number;
  reference: boolean;
  /** Outside the parity band on recall (the share of real dropouts the list finds). */
  outside_band: boolean;
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
  const d = p.district;
  const cells = new Map<string, { n: number; pos: number; flagged: number; tp: number; fp: number }>();
  const values: Record<(typeof AUDITED)[number], (s: number) => string> = {
    rural_hukou: flag(d.students.int8('rural_hukou')),
    left_behind: flag(d.students.int8('left_behind')),
    ethnic_minority: flag(d.students.int8('ethnic_minority')),
    disability: flag(d.students.int8('disability')),
    gender: (s) => {
      const g = d.students.uint8('gender')[s];
      return g < GENDERS.length ? GENDERS[g] : 'unknown';
    },
  };
  for (const asOf of dates) {
    const m = buildFeatures(p, asOf);
    const y = dropoutLabels(d, m.students, asOf, horizonDays);
    const { risk } = scoreMatrix(model, m);
    const inClass = ranksWithin(
      Int32Array.from(m.students, (s) => d.roster.classOf[s]),
      risk,
    );
    const tier = assignTiers(inClass, risk, tiers);
    for (let r = 0; r < m.rows; r++) {
      const s = m.students[r];
      const flagged = tier[r] === 'high' ? 1 : 0;
      const keys = [
        ...AUDITED.map((attribute) => `${attribute}\u0001${values[attribute](s)}`),
        ...INTERSECTIONS.map(([x, z]) => `${x}×${z}\u0001${values[x](s)}×${values[z](s)}`),
      ];
      for (const key of keys) {
        const c = cells.get(key) ?? { n: 0, pos: 0, flagged: 0, tp: 0, fp: 0 };
        c.n++;
        c.pos += y[r];
        c.flagged += flagged;
        c.tp += flagged & y[r];
        c.fp += flagged & (1 - y[r]);
        cells.set(key, c);
      }
    }
  }
  const of = (attribute: string) => [...cells].filter(([k]) => k.startsWith(`${attribute}\u0001`)).map(([k, c]) => ({ value: k.split('\u0001')[1], ...c }));
  const groups = [
    ...AUDITED.flatMap((attribute) => judgeGroups(attribute, of(attribute))),
    ...INTERSECTIONS.flatMap(([x, z]) =>
      judgeGroups(`${x}×${z}`, of(`${x}×${z}`)).map((g) => ({ ...g, intersection: true, outside_band: false, undetermined: false })),
    ),
  ];
  return {
    model_id: model.meta?.id ?? '',
    as_of: formatDay(dates[dates.length - 1]),
    k: tiers.highPerClass ?? TIER_DEFAULTS.highPerClass,
    dates: dates.map(formatDay),
    groups,
    passes: !groups.some((g) => g.outside_band && !g.intersection),
  };
}

export interface GroupCounts {
  value: string;
  n: number;
  pos: number;
  flagged: number;
  tp: number;
  fp: number;
}

/**
 * One attribute's groups, each against the largest. A group with enough dropouts is judged: it
 * fails outside the band, and it fails too when its disparity cannot be computed (the reference
 * found none of its dropouts, or has too few to say) — a judgement that cannot be made is not a pass.
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
      const tooFew = c.pos < MIN_POSITIVES;
      const undetermined = !tooFew && c !== ref && (ref.pos < MIN_POSITIVES || !Number.isFinite(recallDisparity));
      return {
        attribute,
        value: c.value,
        n: c.n,
        positives: c.pos,
        flagged: c.flagged,
        ...r,
        recall_disparity: recallDisparity,
        precision_disparity: r.precision / r0.precision,
        fpr_disparity: r.fpr / r0.fpr,
        reference: c === ref,
        outside_band: undetermined || (!tooFew && (recallDisparity < PARITY_BAND[0] || recallDisparity > PARITY_BAND[1])),
        too_few_positives: tooFew,
        undetermined,
        recall_disparity_ci: tooFew || c === ref || ref.pos < MIN_POSITIVES ? null : disparityInterval(c, ref, `${attribute}|${c.value}`),
      };
    });
}

/**
 * A parametric bootstrap of a recall ratio: each draw redraws the group's and the reference's found dropouts
 * as binomials at their observed recall, and takes the ratio; the 2.5th and 97.5th percentiles (through
 * simple-statistics) bound it. Seeded by the group, so an audit gives the same interval every time.
 */
export function disparityInterval(g: { pos: number; tp: number }, ref: { pos: number; tp: number }, seed: string): [number, number] {
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
  const ratios: number[] = [];
  for (let i = 0; i < DRAWS; i++) {
    const a = binomial(g.pos, g.tp / g.pos) / g.pos;
    const b = binomial(ref.pos, ref.tp / ref.pos) / ref.pos;
    // A draw where the reference finds none has no finite ratio: it counts as the widest (the interval says so).
    ratios.push(b > 0 ? a / b : Number.POSITIVE_INFINITY);
  }
  return [quantile(ratios, 0.025), quantile(ratios, 0.975)];
}

function flag(v: Int8Array): (s: number) => string {
  return (s) => (v[s] === 1 ? '1' : v[s] === 0 ? '0' : 'unknown');
}
