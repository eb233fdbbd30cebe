import type { Roster } from '../sources/index.js';
import type { Tier } from './tiers.js';

/** Last week's risk and tier for each student of this week's roll (by roll index); NaN and null where none. */
export interface WeekBefore {
  risk: Float64Array;
  tier: (Tier | null)[];
}

const TIERS = new Set<string>(['high', 'medium', 'low']);

/** Last week's recorded scores (`student_id \t risk \t tier` lines) placed on this week's roll. */
export function weekBeforeFrom(lines: string, roster: Pick<Roster, 'index' | 'ids'>): WeekBefore {
  const risk = new Float64Array(roster.ids.length).fill(Number.NaN);
  const tier: (Tier | null)[] = new Array(roster.ids.length).fill(null);
  let start = 0;
  while (start < lines.length) {
    let end = lines.indexOf('\n', start);
    if (end < 0) end = lines.length;
    const a = lines.indexOf('\t', start);
    const b = lines.indexOf('\t', a + 1);
    if (a > start && b > a && b < end) {
      const s = roster.index.get(lines.slice(start, a));
      const t = lines.slice(b + 1, end);
      if (s !== undefined && TIERS.has(t)) {
        risk[s] = Number(lines.slice(a + 1, b));
        tier[s] = t as Tier;
      }
    }
    start = end + 1;
  }
  return { risk, tier };
}
