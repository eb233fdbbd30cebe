import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay } from '../../src/dates/index.js';
import { FEATURE_NAMES, prepare } from '../../src/features/index.js';
import { splitByWeek } from '../../src/generate/layout.js';
import { buildExamples, buildExamplesKnownOn, trainModel } from '../../src/model/index.js';
import { loadDistrict, pullFolder } from '../../src/sources/index.js';
import { BASE_FILES, FAR_TODAY, tempDir, writeFolder } from '../helpers/folder.js';
import { writePlantedDistrict } from '../helpers/planted.js';

/**
 * Training without hindsight: each example's features from what a kept history held on its date.
 * A correction made later is not seen before it was made; known now, it is seen all along.
 */
describe('examples as known on their dates', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    t = await tempDir();
  });
  afterAll(() => t.cleanup());

  const column = (e: { x: Float32Array; width: number; length: number }, name: string) =>
    Array.from({ length: e.length }, (_, i) => e.x[i * e.width + FEATURE_NAMES.indexOf(name)]);

  it('should show an absence as it was recorded then, and its later correction only from the day it was pulled', async () => {
    const history = join(t.dir, 'h');
    const week = (name: string, files: Record<string, string>) => writeFolder(t.dir, name, files);
    const days = ['2025-09-01', '2025-09-02', '2025-09-03', '2025-09-04', '2025-09-05'];
    const att = (status: string) => `student_id,date,status\n${days.map((d) => `A1,${d},${status}\nB2,${d},present`).join('\n')}\n`;
    await pullFolder(await week('w1', { ...BASE_FILES, 'attendance.csv': att('absent_unexcused') }), {
      history,
      seenOn: parseDay('2025-09-06'),
      today: FAR_TODAY,
    });
    // Two weeks later the school re-codes the week as sick leave.
    await pullFolder(await week('w3', { 'attendance.csv': att('absent_sick') }), { history, seenOn: parseDay('2025-09-20'), today: FAR_TODAY });
    const now = prepare((await loadDistrict(history)).district);
    const dates = [parseDay('2025-09-08'), parseDay('2025-09-22')];
    const hindsight = buildExamples(now, dates, 30);
    const then = await buildExamplesKnownOn(now, async (d) => prepare((await loadDistrict(history, { knownOn: d })).district), dates, 30);
    const a1 = (e: typeof then) => column(e, 'att_unexcused_days_4w').filter((_, i) => now.district.roster.ids[e.student[i]] === 'A1');
    expect(a1(hindsight)).toEqual([0, 0]);
    expect(a1(then)).toEqual([5, 0]);
    expect(Array.from(then.student)).toEqual(Array.from(hindsight.student));
  });

  it('should train from a history as known then, and say so in the model card', async () => {
    const data = join(t.dir, 'planted');
    await mkdir(data);
    const { asOf } = await writePlantedDistrict(data, { seed: 4, students: 900, weeks: 24 });
    const weeks = await splitByWeek(data, join(t.dir, 'weeks'), '2025-09-07');
    const history = join(t.dir, 'planted-history');
    for (const w of weeks) await pullFolder(join(t.dir, 'weeks', w), { history, seenOn: parseDay(w), today: FAR_TODAY });
    const p = prepare((await loadDistrict(history)).district);
    const r = await trainModel(p, {
      asOf,
      horizonDays: 42,
      kinds: ['logistic'],
      dir: join(t.dir, 'models'),
      knownOn: async (d) => prepare((await loadDistrict(history, { knownOn: d, partial: true })).district),
    });
    expect(r.meta.knowledge).toBe('as known on each example date');
    expect(await readFile(join(r.folder, 'MODEL_CARD.md'), 'utf8')).toMatch(
      /\*\*Knowledge\*\*: each example's features from what the kept history held on its date/,
    );
    // Every row here was pulled on the Sunday after its date and examples fall on Mondays: what was
    // known then is what is known now, so the examples (and their fingerprint) are the same.
    const h = await trainModel(p, { asOf, horizonDays: 42, kinds: ['logistic'], dir: join(t.dir, 'models') });
    expect(h.meta.knowledge).toBe('as known when trained');
    expect(r.meta.fingerprint).toBe(h.meta.fingerprint);
  }, 180_000);
});
