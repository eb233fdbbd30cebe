export {
  circumstancesOf,
  reasonsFor,
  renderCircumstances,
  renderStored,
  storedReason,
  visibleTo,
  type Reason,
  type ReasonOptions,
  type StoredReason,
} from './reasons.js';
export { ranksWithin } from './ranks.js';
export { assignTiers, changeSince, TIER_DEFAULTS, type Tier, type TierOptions, type Change } from './tiers.js';
export { ACUTE_STREAK_DAYS, isAcute, screeningText, scoreShard, shardFeatures, type Acute, type ScoredStudent, type ShardFeatures } from './score-students.js';
export { weekBeforeFrom, type WeekBefore } from './week-before.js';
export { studentRecords, type StudentRecords } from './student-records.js';
