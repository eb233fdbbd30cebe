import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay } from '../../src/dates/index.js';
import { recordedWeekBefore } from '../../src/followup/index.js';
import { planRun, runInProcess, runKey } from '../../src/pipeline/index.js';
import { weekBeforeFrom } from '../../src/scoring/index.js';
import { openDb } from '../../src/store/index.js';
import { tempDir } from '../helpers/folder.js';

/**
 * What changed since last week is measured against last week's recorded list where the store holds
 * it (what head teachers saw), instead of recomputing the model's view of the data a week earlier.
 * On unchanged data the two agree; where the record says otherwise, the record wins.
 */
const SAMPLE = join(import.meta.dirname, '..', '..', 'data', 'sample');
const D = parseDay('2026-06-01');

describe("last week's recorded list", () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let db: string;
  const summary = async (out: string) => JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
  const run = (out: string, asOf: number, database: string | null) =>
    planRun({ data: SAMPLE, out: join(t.dir, out), asOf, database }).then((spec) => runInProcess(spec, { threads: 0 }));

  beforeAll(async () => {
    t = await tempDir();
    db = join(t.dir, 'db');
    await run('before', D - 7, db);
  }, 120_000);
  afterAll(() => t.cleanup());

  it("should give back each student's recorded risk and tier exactly, placed on the roll", async () => {
    const scores = (await readFile(join(t.dir, 'before', 'scores.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const store = await openDb({ url: db });
    try {
      const spec = await planRun({ data: SAMPLE, out: join(t.dir, 'x'), asOf: D, database: db });
      const got = await recordedWeekBefore(store, { weekBefore: '2026-05-25', modelId: spec.modelId, sameFolderKey: runKey({ data: SAMPLE, asOf: D - 7 }) });
      expect(got?.run_key).toBe(runKey({ data: SAMPLE, asOf: D - 7 }));
      const roster = { ids: ['nobody', ...scores.map((s) => s[0])], index: new Map([['nobody', 0], ...scores.map((s, k): [string, number] => [s[0], k + 1])]) };
      const week = weekBeforeFrom(got!.lines, roster);
      expect(week.tier[0]).toBeNull();
      expect(Number.isNaN(week.risk[0])).toBe(true);
      // scores.csv rounds risk; the record keeps the double: the same to the csv's digits.
      scores.forEach((s, k) => {
        expect(week.tier[k + 1], s[0]).toBe(s[7]);
        expect(week.risk[k + 1]).toBeCloseTo(Number(s[4]), 5);
      });
      expect(await recordedWeekBefore(store, { weekBefore: '2026-05-18', modelId: spec.modelId, sameFolderKey: 'x' })).toBeNull();
      expect(await recordedWeekBefore(store, { weekBefore: '2026-05-25', modelId: 'another-model', sameFolderKey: 'x' })).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('should say what changed as the recomputed view does on unchanged data, and follow the record where it differs', async () => {
    await run('recomputed', D, null);
    await run('recorded', D, db);
    const [recomputed, recorded] = [await summary(join(t.dir, 'recomputed')), await summary(join(t.dir, 'recorded'))];
    expect(recorded.drift.high_tier_overlap).not.toBeNull();
    expect(recorded.drift.high_tier_overlap).toBe(recomputed.drift.high_tier_overlap);
    expect(recorded.timings_ms.week_before).toBeGreaterThanOrEqual(0);
    // Last week's record says every student was high: the overlap is then this week's high tier over everyone on both rolls.
    const store = await openDb({ url: db });
    try {
      await store.query(`update scores set tier = 'high' where run_key = $1`, [runKey({ data: SAMPLE, asOf: D - 7 })]);
    } finally {
      await store.close();
    }
    await run('tampered', D, db);
    const tampered = await summary(join(t.dir, 'tampered'));
    const scores = (await readFile(join(t.dir, 'tampered', 'scores.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const before = new Set(
      (await readFile(join(t.dir, 'before', 'scores.csv'), 'utf8'))
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
    );
    const high = scores.filter((s) => s[7] === 'high').length;
    const either = scores.filter((s) => before.has(s[0]) || s[7] === 'high').length;
    expect(tampered.drift.high_tier_overlap).toBeCloseTo(high / either, 3);
    expect(tampered.drift.high_tier_overlap).not.toBe(recorded.drift.high_tier_overlap);
  }, 240_000);
});
