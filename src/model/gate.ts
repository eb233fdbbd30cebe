import { parseDay, type Day } from '../dates/index.js';
import { buildFeatures, type Prepared } from '../features/index.js';
import { TIER_DEFAULTS } from '../scoring/tiers.js';
import { schoolRateScore, unexcusedRateScore } from './baselines.js';
import { dropoutLabels } from './labels.js';
import { prAuc, reliability } from './metrics.js';
import type { LoadedModel } from './registry.js';
import { scoreMatrix } from './scorer.js';

export interface Contender {
  pr_auc: number;
  recall_at_k: number;
  ece: number;
}

export interface GateResult {
  challenger: string;
  current: string | null;
  dates: string[];
  scores: Record<string, Contender>;
  checks: { name: string; passed: boolean; detail: string }[];
  passes: boolean;
}

/** ECE may rise by this much and still count as "no worse": deciles of a few hundred dropouts are noisy. */
const ECE_TOLERANCE = 0.001;

/**
 * Whether a challenger may replace the model in use: on the challenger's own temporal hold-out,
 * it must beat the current model and both baselines on PR-AUC and on recall at the list size
 * (top k of a class), pass the fairness audit, and be calibrated no worse.
 */
export function promotionGate(p: Prepared, challenger: LoadedModel, current: LoadedModel | null): GateResult {
  const dates = challenger.meta.window.test.map(parseDay);
  const h = challenger.meta.horizon_days;
  const k = TIER_DEFAULTS.highPerClass;
  const collected: Record<string, { score: number[]; y: number[]; topK: number; hits: number }> = {};
  const add = (name: string, score: ArrayLike<number>, y: Uint8Array, cls: Int32Array) => {
    const c = (collected[name] ??= { score: [], y: [], topK: 0, hits: 0 });
    const rank = ordinalWithin(cls, score);
    for (let i = 0; i < y.length; i++) {
      c.score.push(score[i]);
      c.y.push(y[i]);
      if (rank[i] <= k) c.hits += y[i];
    }
  };
  for (const asOf of dates as Day[]) {
    const m = buildFeatures(p, asOf);
    const y = dropoutLabels(p.district, m.students, asOf, h);
    const cls = Int32Array.from(m.students, (s) => p.district.roster.classOf[s]);
    add('challenger', scoreMatrix(challenger, m).risk, y, cls);
    if (current) add('current', scoreMatrix(current, m).risk, y, cls);
    add('unexcused_rate', unexcusedRateScore(m), y, cls);
    add('school_rate', schoolRateScore(m), y, cls);
  }
  const scores: Record<string, Contender> = {};
  for (const [name, c] of Object.entries(collected)) {
    const positives = c.y.reduce((a, b) => a + b, 0);
    scores[name] = {
      pr_auc: prAuc(c.score, c.y),
      recall_at_k: positives > 0 ? c.hits / positives : Number.NaN,
      ece: name === 'challenger' || name === 'current' ? reliability(c.score, c.y).ece : Number.NaN,
    };
  }
  const ch = scores.challenger;
  const checks: GateResult['checks'] = [];
  const check = (name: string, passed: boolean, detail: string) => checks.push({ name, passed, detail });
  for (const rival of ['current', 'unexcused_rate', 'school_rate'].filter((r) => scores[r])) {
    const r = scores[rival];
    check(`pr_auc beats ${rival}`, ch.pr_auc > r.pr_auc, `${ch.pr_auc.toFixed(4)} vs ${r.pr_auc.toFixed(4)}`);
    check(
      `recall at top ${k} beats ${rival}`,
      ch.recall_at_k >= r.recall_at_k && (rival === 'current' || ch.recall_at_k > r.recall_at_k),
      `${ch.recall_at_k.toFixed(4)} vs ${r.recall_at_k.toFixed(4)}`,
    );
  }
  if (scores.current)
    check('calibration no worse', ch.ece <= scores.current.ece + ECE_TOLERANCE, `ECE ${ch.ece.toFixed(4)} vs ${scores.current.ece.toFixed(4)}`);
  const fair = challenger.meta.fairness;
  check(
    'fairness audit',
    fair?.passes === true,
    fair
      ? fair.groups
          .filter((g) => g.fails)
          .map((g) => `${g.attribute}=${g.value} recall ×${g.recall_disparity.toFixed(2)}`)
          .join('; ') || 'no group shown to be found less or more often than 0.8–1.25 of its reference'
      : 'not audited',
  );
  return {
    challenger: challenger.meta.id,
    current: current?.meta.id ?? null,
    dates: challenger.meta.window.test,
    scores,
    checks,
    passes: checks.every((c) => c.passed),
  };
}

/**
 * Positions within each class, 1 = riskiest, ties broken by order: a list of k is exactly k long
 * even for a score that ties a whole class (the school-rate baseline).
 */
function ordinalWithin(group: ArrayLike<number>, score: ArrayLike<number>): Int32Array {
  const idx = Array.from({ length: score.length }, (_, i) => i).sort((a, b) => group[a] - group[b] || score[b] - score[a] || a - b);
  const pos = new Int32Array(score.length);
  for (let k = 0; k < idx.length; k++) pos[idx[k]] = k > 0 && group[idx[k - 1]] === group[idx[k]] ? pos[idx[k - 1]] + 1 : 1;
  return pos;
}
