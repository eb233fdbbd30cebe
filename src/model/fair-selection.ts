import type { District } from '../sources/index.js';
import { applyPlatt, fitPlatt, type Platt } from './calibrate.js';
import type { Candidate } from './candidates.js';
import { logitsOf } from './candidates.js';
import type { Examples } from './dataset.js';
import { auditRisk, type FairnessAudit } from './fairness.js';
import type { FeaturePolicy } from './feature-policy.js';
import { summarise, type Metrics } from './metrics.js';
import { failing, offsetLogits, outsideBand, worstDisparity, type GroupOffset, type Mitigation } from './mitigation.js';

/** A fitted candidate with its calibration and validation metrics. */
export type Fitted = Candidate & { platt: Platt; val: Metrics };

/** A candidate under a mitigation: what would be registered if it were chosen. */
export interface Option {
  fitted: Fitted;
  mitigation: Mitigation;
  offsets: GroupOffset[];
  platt: Platt;
  val: Metrics;
  valAudit: FairnessAudit;
  test?: { metrics: Metrics; audit: FairnessAudit; prob: Float64Array };
}

export interface Block {
  e: Examples;
  /** The model's input columns of `e`. */
  x: Float32Array;
}

export interface PolicyRecord {
  name: FeaturePolicy;
  left_out: string[];
  /** Test AUC of this model, and of the same candidates trained with every feature (circumstances included). */
  auc: number;
  auc_with_circumstances: number | null;
  /** What leaving circumstances out cost (positive) or gained (negative) in test AUC. */
  auc_cost: number | null;
  /** The worst group's recall disparity (≥ 1 either way) on the test block, with circumstances in. */
  worst_disparity_with_circumstances: number | null;
}

export interface MitigationRecord {
  chosen: Mitigation;
  kind: string;
  rule: string;
  tried: {
    kind: string;
    mitigation: Mitigation;
    offsets: GroupOffset[];
    val_auc: number;
    /** Groups failing the audit on validation: what the choice minimised. */
    val_failing: number;
    val_outside_band: number;
    val_worst_disparity: number;
    test_auc: number;
    test_pr_auc: number;
    test_worst_disparity: number;
    test_passes: boolean;
    chosen: boolean;
  }[];
}

/** Calibrated probabilities of an option on a block. */
export function probabilities(o: { fitted: Fitted; offsets: readonly GroupOffset[]; platt: Platt }, b: Block, width: number): Float64Array {
  const z = logitsOf(o.fitted.model, b.x, width);
  const off = offsetLogits(o.offsets, b.e);
  for (let i = 0; i < z.length; i++) z[i] = applyPlatt(o.platt, z[i] + off[i]);
  return z;
}

/** An option measured on validation: offsets change the logits, so they are calibrated afresh there. */
export function optionOf(d: District, fitted: Fitted, mitigation: Mitigation, offsets: GroupOffset[], val: Block, width: number): Option {
  let platt = fitted.platt;
  if (offsets.length > 0) {
    const z = logitsOf(fitted.model, val.x, width);
    const off = offsetLogits(offsets, val.e);
    for (let i = 0; i < z.length; i++) z[i] += off[i];
    platt = fitPlatt(z, val.e.y);
  }
  const prob = probabilities({ fitted, offsets, platt }, val, width);
  return { fitted, mitigation, offsets, platt, val: summarise(prob, val.e.y), valAudit: auditRisk(d, val.e, prob) };
}

/**
 * The option kept: fewest groups failing the audit on validation, then the least cost — the
 * unmitigated choice where it is among the fewest, else the best validation AUC.
 */
export function chooseOption(options: Option[], unmitigated: Option): Option {
  const fewest = Math.min(...options.map((o) => failing(o.valAudit)));
  const eligible = options.filter((o) => failing(o.valAudit) === fewest);
  if (eligible.includes(unmitigated)) return unmitigated;
  return eligible.reduce((a, b) => (b.val.auc > a.val.auc ? b : a));
}

export const CHOICE_RULE =
  'fewest groups failing the audit on the validation block (outside 0.8–1.25 with an interval excluding parity), then the least cost: the unmitigated model where it is among them, else the best validation AUC';

export function mitigationRecord(options: Option[], chosen: Option): MitigationRecord {
  return {
    chosen: chosen.mitigation,
    kind: chosen.fitted.kind,
    rule: CHOICE_RULE,
    tried: options.map((o) => ({
      kind: o.fitted.kind,
      mitigation: o.mitigation,
      offsets: o.offsets,
      val_auc: o.val.auc,
      val_failing: failing(o.valAudit),
      val_outside_band: outsideBand(o.valAudit),
      val_worst_disparity: worstDisparity(o.valAudit),
      test_auc: o.test?.metrics.auc ?? Number.NaN,
      test_pr_auc: o.test?.metrics.pr_auc ?? Number.NaN,
      test_worst_disparity: o.test ? worstDisparity(o.test.audit) : Number.NaN,
      test_passes: o.test?.audit.passes ?? false,
      chosen: o === chosen,
    })),
  };
}
