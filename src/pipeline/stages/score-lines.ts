import type { ScoredStudent } from '../../scoring/index.js';
import { csvLine } from '../../util/csv-write.js';

export const SCORE_COLUMNS = ['student_id', 'school_id', 'class_id', 'as_of', 'risk', 'rank_in_class', 'rank_in_school', 'tier', 'reasons'] as const;

// The order localeCompare gives, from one collator: localeCompare builds one per call, slow on a million rows.
const collate = new Intl.Collator().compare;

/** scores.csv's order: school, class, rank in class, then id. */
export function byScoresOrder(a: ScoredStudent, b: ScoredStudent): number {
  return collate(a.school_id, b.school_id) || collate(a.class_id, b.class_id) || a.rank_in_class - b.rank_in_class || collate(a.student_id, b.student_id);
}

export interface ScoreLines {
  /** scores.csv's rows for a shard, by school, class and rank, without the header. */
  text: string;
  tiers: { high: number; medium: number; low: number };
  scored: number;
}

/**
 * A shard's lines of scores.csv, written by the score stage so that the summary only joins them.
 * They carry reason codes every reader may see; screening-based codes stay on the psychologists' lists.
 */
export function scoreLines(scored: readonly ScoredStudent[]): ScoreLines {
  const rows = [...scored].sort(byScoresOrder);
  const tiers = { high: 0, medium: 0, low: 0 };
  const lines: string[] = new Array(rows.length);
  rows.forEach((s, i) => {
    const codes = s.reasons
      .filter((r) => r.audience === 'all')
      .map((r) => r.code)
      .join(';');
    lines[i] = csvLine([s.student_id, s.school_id, s.class_id, s.as_of, s.risk.toFixed(6), s.rank_in_class, s.rank_in_school, s.tier, codes]);
    tiers[s.tier]++;
  });
  return { text: lines.join(''), tiers, scored: rows.length };
}
