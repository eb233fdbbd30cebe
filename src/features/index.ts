export { buildFeatures } from './build-features.js';
export { prepare, type Prepared } from './prepare.js';
export { awayOn, onRoll, exitDays, type Exits } from './cohort.js';
export { FeatureMatrix, type Detail } from './matrix.js';
export { FEATURES, FEATURE_NAMES, featureIndex, type FeatureDef, type FeatureGroup, type ReasonAudience } from './registry.js';
export { EVENT_TEXT, EVENT_WEIGHT, FAMILY_HALF_LIFE_DAYS } from './kernels/family.js';
export { PROGRAM_TEXT } from './kernels/aid.js';
export { writeMatrices, readMatrices } from './matrix-file.js';
export { schoolDropoutRate } from './kernels/context.js';
