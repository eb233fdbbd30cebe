export { runKey, workDir, SOURCES, type RunSpec } from './run-spec.js';
export { runInProcess } from './run-in-process.js';
export { ingestSource, ingestMerge, type IngestSummary } from './stages/ingest.js';
export { featuresStage } from './stages/features.js';
export { scoreStage } from './stages/score.js';
export { listsStage } from './stages/lists.js';
export { summaryStage, SCORE_COLUMNS, type RunSummary } from './stages/summary.js';
export { planRun, type PlanOptions } from './plan-run.js';
export { acuteCheck, type AcuteCheck } from './acute-check.js';
