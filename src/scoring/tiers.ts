export type Tier = 'high' | 'medium' | 'low';

/** How many students a head teacher can follow up, and how much risk is worth a follow-up. */
export interface TierOptions {
  /** At most this many students of a class are `high`. Default 3. */
  highPerClass?: number;
  /** …and only those whose calibrated risk is at least this. Default 0.05. */
  highFloor?: number;
  /** The next this many of a class may be `medium`. Default 5. */
  mediumPerClass?: number;
  /** …if their risk is at least this. Default 0.02. */
  mediumFloor?: number;
}

export const TIER_DEFAULTS: Required<TierOptions> = { highPerClass: 3, highFloor: 0.05, mediumPerClass: 5, mediumFloor: 0.02 };

/**
 * Tiers sized to capacity, not a fixed cut: `high` is at most the top k of a class whose risk
 * also clears a floor, so a quiet class gets no alarm and a troubled one does not swamp its
 * head teacher; `medium` is the next band, to watch.
 */
export function assignTiers(rankInClass: ArrayLike<number>, risk: ArrayLike<number>, options: TierOptions = {}): Tier[] {
  const o = { ...TIER_DEFAULTS, ...options };
  return Array.from({ length: risk.length }, (_, i) => {
    if (rankInClass[i] <= o.highPerClass && risk[i] >= o.highFloor) return 'high';
    if (rankInClass[i] <= o.highPerClass + o.mediumPerClass && risk[i] >= o.mediumFloor) return 'medium';
    return 'low';
  });
}

export type Change = 'new' | 'risen' | 'fallen' | 'same';

const LEVEL: Record<Tier, number> = { low: 0, medium: 1, high: 2 };

/** What changed since last week, as a head teacher reads it. */
export function changeSince(now: Tier, before: Tier | null, riskNow: number, riskBefore: number | null): Change {
  if (before === null || (before === 'low' && now !== 'low')) return 'new';
  if (LEVEL[now] > LEVEL[before]) return 'risen';
  if (LEVEL[now] < LEVEL[before]) return 'fallen';
  if (riskBefore !== null && riskNow >= riskBefore * 1.5 && riskNow - riskBefore >= 0.02) return 'risen';
  if (riskBefore !== null && riskNow <= riskBefore / 1.5 && riskBefore - riskNow >= 0.02) return 'fallen';
  return 'same';
}
