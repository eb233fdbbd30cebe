import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordRun } from '../../src/followup/index.js';
import type { Db } from '../../src/store/index.js';
import { aggregates, latestScore, latestScores } from '../../src/web/queries.js';
import { ENGINES, freshDb } from '../helpers/databases.js';
import { scoredStudent } from '../helpers/scored.js';

/** A week run twice (another data folder, a correction): the pages show the later run once, never both. */
describe.each(ENGINES)('the pages read the latest run on %s', (engine) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ db, cleanup } = await freshDb(engine)));
  afterEach(() => cleanup());

  const week = (risk: number) => [
    scoredStudent({ student_id: 'a', school_id: 'S1', class_id: '7-1', tier: 'high', risk }),
    scoredStudent({ student_id: 'b', school_id: 'S1', class_id: '7-1', tier: 'low', risk: risk / 10 }),
    scoredStudent({ student_id: 'c', school_id: 'S2', class_id: '8-1', tier: 'medium', risk: 0.05 }),
  ];

  it('should list each student once, from the week run last, and count them once', async () => {
    await recordRun(db, { run_key: 'old-2026-02-23', as_of: '2026-02-23', model_id: 'm', summary: {} }, week(0.5));
    await recordRun(db, { run_key: 'first-2026-03-02', as_of: '2026-03-02', model_id: 'm', summary: {} }, week(0.2));
    await recordRun(db, { run_key: 'again-2026-03-02', as_of: '2026-03-02', model_id: 'm', summary: {} }, week(0.3));
    const rows = await latestScores(db, 'S1');
    expect(rows.map((r) => [r.student_id, r.risk, r.as_of])).toEqual([
      ['a', 0.3, '2026-03-02'],
      ['b', 0.03, '2026-03-02'],
    ]);
    expect((await latestScore(db, 'a'))?.risk).toBe(0.3);
    expect((await aggregates(db)).map((r) => [r.school_id, r.tier, r.n])).toEqual([
      ['S1', 'high', 1],
      ['S1', 'low', 1],
      ['S2', 'medium', 1],
    ]);
  });
});
