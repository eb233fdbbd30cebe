export { initTf, tf } from './backend.js';
export { trainModel, metricsLine, firstDataDay, type TrainOptions, type TrainResult } from './train.js';
export { evaluateModel, type Evaluation } from './evaluate.js';
export {
  loadModel,
  listModels,
  promoteModel,
  currentModelId,
  resolveModelId,
  modelsDir,
  promotionHistory,
  previousModelId,
  type ModelMeta,
  type LoadedModel,
} from './registry.js';
export { scoreMatrix, attributions, attributionScratch, type AttributionScratch, type ScoringModel } from './scorer.js';
export { auc, prAuc, brier, atTop, reliability, summarise, type Metrics } from './metrics.js';
export { fitPlatt, applyPlatt, type Platt } from './calibrate.js';
export { dropoutLabels } from './labels.js';
export { buildExamples, buildExamplesKnownOn, temporalSplit, type Examples, type KnownOn } from './dataset.js';
export { fitNetwork, toDenseStack, type ModelKind } from './networks.js';
export { integratedGradients, inputGradient, logitOf, type DenseStack } from './dense-stack.js';
export { withFollowupOutcomes, withoutTreated } from './followup-labels.js';
export {
  auditFairness,
  auditRisk,
  listTiers,
  judgeGroups,
  AUDITED,
  PARITY_BAND,
  MIN_POSITIVES,
  type FairnessAudit,
  type GroupAudit,
  type GroupCounts,
} from './fairness.js';
export { promotionGate, type GateResult } from './gate.js';
export { referenceOf, binCounts, psi, PSI_ALERT, type Reference } from './reference.js';
export { RULES_MODEL_ID, rulesModel } from './rules.js';
export { applyPolicy, CIRCUMSTANCE_FEATURES, DEFAULT_POLICY, FEATURE_POLICIES, isFeaturePolicy, type FeaturePolicy } from './feature-policy.js';
export { MITIGATIONS, type Mitigation, type GroupOffset } from './mitigation.js';
export type { MitigationRecord, PolicyRecord } from './fair-selection.js';
export { evaluateLive, type LiveEvaluation, type LiveWeek, type StoredList } from './live-evaluation.js';
