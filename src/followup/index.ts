export { STATUSES, STEPS, CLOSED, nextStatus, allowedSteps, type CaseCause, type CaseStatus, type Step } from './states.js';
export {
  NOTE_MAX,
  openAlert,
  recordStep,
  escalateStale,
  untoldEscalations,
  escalationRules,
  followupLabels,
  type Level,
  type AlertRow,
  type NewAlert,
  type StepInput,
  type AlertCause,
} from './cases.js';
export { recordRun, recordRunAsScored, runPartition, type Recorded, type RunRecord } from './record-run.js';
export { recordedWeekBefore, type RecordedScores } from './week-before.js';
export { CONTACT_COLUMNS, contactOf, contactsOf, hasContacts, keepContacts, namesOf, type Contact } from './contacts.js';
export { CANTEEN_SIGNAL_Z, ENTITLEMENTS, entitlementGaps, hardshipSignals, latestAidChecks, recordAidCheck, type AidCheck, type AidSignal } from './aid.js';
export { loadProcedure, Procedure, type ProcedureRow } from './procedure.js';
export { estimateEffects, FOLLOW_WEEKS, MIN_PAIRS, type EffectEstimate, type EffectsReport, type StepRecord } from './effects.js';
