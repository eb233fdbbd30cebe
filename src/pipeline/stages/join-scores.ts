import { join } from 'node:path';
import { CsvWriter } from '../../util/csv-write.js';
import { SCORE_COLUMNS, type ScoreLines } from './score-lines.js';

/**
 * scores.csv from the shards' lines, in shard order (shards hold whole schools in id order, so
 * the file stays by school, class and rank): joined, not parsed back and redone.
 */
export async function joinScores(out: string, shards: number, linesOf: (shard: number) => Promise<ScoreLines>): Promise<Pick<ScoreLines, 'tiers' | 'scored'>> {
  const scores = new CsvWriter(join(out, 'scores.csv'), SCORE_COLUMNS);
  const tiers = { high: 0, medium: 0, low: 0 };
  let scored = 0;
  try {
    for (let k = 0; k < shards; k++) {
      const part = await linesOf(k);
      scores.raw(part.text);
      for (const t of ['high', 'medium', 'low'] as const) tiers[t] += part.tiers[t];
      scored += part.scored;
    }
  } finally {
    await scores.close();
  }
  return { tiers, scored };
}
