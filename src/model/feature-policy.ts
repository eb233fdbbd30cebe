import { FEATURES } from '../features/index.js';

/**
 * Which inputs a model may learn from. Circumstances are who a student is (rural hukou, left behind,
 * orphan, single parent, disability, boarder; gender and ethnicity are never inputs): a model that
 * leans on them lists a rural child for being rural and misses the urban child who is drifting away.
 *
 * - `behaviour` (default): circumstances are left out; the score rests on what is happening to the
 *   student (attendance, grades, events, aid, screenings, spending) and on the school's context.
 * - `all`: every feature, circumstances included — kept to measure what the policy costs, and for a
 *   district that decides otherwise and says so in its model card.
 */
export const FEATURE_POLICIES = ['behaviour', 'all'] as const;
export type FeaturePolicy = (typeof FEATURE_POLICIES)[number];
export const DEFAULT_POLICY: FeaturePolicy = 'behaviour';

export const CIRCUMSTANCE_FEATURES: readonly string[] = FEATURES.filter((f) => f.circumstance).map((f) => f.name);

export function isFeaturePolicy(v: string): v is FeaturePolicy {
  return (FEATURE_POLICIES as readonly string[]).includes(v);
}

/** The inputs a policy allows out of those the data can teach, and what it left out (with why). */
export function applyPolicy(
  inputs: { used: string[]; leftOut: { feature: string; reason: string }[] },
  policy: FeaturePolicy,
): { used: string[]; leftOut: { feature: string; reason: string }[] } {
  if (policy === 'all') return inputs;
  const circumstance = new Set(CIRCUMSTANCE_FEATURES);
  return {
    used: inputs.used.filter((f) => !circumstance.has(f)),
    leftOut: [
      ...inputs.leftOut,
      ...inputs.used.filter((f) => circumstance.has(f)).map((feature) => ({ feature, reason: 'a circumstance: left out under the behaviour policy' })),
    ],
  };
}
