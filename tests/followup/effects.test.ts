import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectsCommand } from '../../src/cli/commands/followup-commands.js';
import { parseDay } from '../../src/dates/index.js';
import { prepare, type Prepared } from '../../src/features/index.js';
import { estimateEffects, openAlert, recordStep, type EffectsReport, type StepRecord } from '../../src/followup/index.js';
import { generateDistrict } from '../../src/generate/index.js';
import { loadDistrict } from '../../src/sources/index.js';
import { openDb } from '../../src/store/index.js';
import { FAR_TODAY, tempDir } from '../helpers/folder.js';

const AS_OF = parseDay('2026-06-28');

describe('did the help help: effect estimates from the follow-up record', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let p: Prepared;
  let steps: StepRecord[];
  let report: EffectsReport;

  beforeAll(async () => {
    t = await tempDir();
    // The generator plants the answer: tutoring lowers a student's hardship, parents being called does not.
    await generateDistrict({ out: join(t.dir, 'd'), students: 20_000, seed: 7, interventions: true });
    const { district } = await loadDistrict(join(t.dir, 'd'), { today: FAR_TODAY });
    p = prepare(district);
    const { readFile } = await import('node:fs/promises');
    steps = (await readFile(join(t.dir, 'd', 'followup_steps.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => {
        const [id, date, kind] = l.split(',');
        return { student: district.roster.index.get(id)!, day: parseDay(date), kind };
      });
    report = estimateEffects(p, steps, { asOf: AS_OF });
  }, 180_000);
  afterAll(() => t.cleanup());

  const of = (kind: string) => report.estimates.find((e) => e.kind === kind)!;
  const outcome = (kind: string, name: string) => of(kind).outcomes.find((o) => o.outcome === name)!;

  it('should find the step that works: fewer dropouts and better standing after tutoring, within intervals that exclude none', () => {
    const dropout = outcome('tutoring', 'dropout');
    expect(of('tutoring').pairs).toBeGreaterThan(300);
    expect(dropout.found).toBe(true);
    expect(dropout.ci[1]).toBeLessThan(0);
    expect(dropout.effect).toBeGreaterThan(dropout.ci[0]);
    expect(dropout.effect).toBeLessThan(dropout.ci[1]);
    const standing = outcome('tutoring', 'grade_standing');
    expect(standing.ci[0]).toBeGreaterThan(0);
    expect(of('tutoring').statement).toMatch(/^tutoring: \d+ students matched; dropout within 8 weeks/);
  });

  it('should not find the step that does nothing: parents called, dropout and standing intervals holding zero', () => {
    for (const name of ['dropout', 'grade_standing']) {
      const o = outcome('parents_called', name);
      expect(o.found, name).toBe(false);
      expect(o.ci[0]).toBeLessThan(0);
      expect(o.ci[1]).toBeGreaterThan(0);
    }
    expect(of('parents_called').statement).toMatch(/no effect shown/);
  });

  it('should say what matching corrected: the helped were worse off, and after matching they look like their pairs', () => {
    const e = of('tutoring');
    // Struggling students are the ones helped: compared with everyone, tutoring looks harmless or worse.
    expect(e.naive_dropout_effect).toBeGreaterThan(outcome('tutoring', 'dropout').effect + 0.02);
    expect(Math.max(...e.balance.map((b) => Math.abs(b.before)))).toBeGreaterThan(1);
    expect(e.max_abs_smd_after).toBeLessThan(0.25);
  });

  it('should say too few to judge where few students got a step', () => {
    const few = estimateEffects(p, steps.filter((s) => s.kind === 'tutoring').slice(0, 12), { asOf: AS_OF });
    expect(few.estimates[0]).toMatchObject({ kind: 'tutoring', too_few: true, outcomes: [] });
    expect(few.estimates[0].statement).toMatch(/too few to say/);
  });
});

describe('ews effects: where the steps come from', () => {
  const SAMPLE = join(import.meta.dirname, '..', '..', 'data', 'sample');

  it('should read steps from a CSV, leaving out bad rows by line and column', async () => {
    const t = await tempDir();
    try {
      const file = join(t.dir, 'steps.csv');
      await writeFile(
        file,
        'student_id,date,kind\nnobody,2026-03-02,tutoring\nsf7d4d953,2026-13-40,tutoring\nsf7d4d953,2026-03-02,\nsf7d4d953,2026-03-02,tutoring\n',
      );
      const r = await effectsCommand({ data: SAMPLE, asOf: parseDay('2026-06-28'), steps: file });
      expect(r.steps).toBe(1);
      expect(r.rejected.map((x) => [x.line, x.column])).toEqual([
        [2, 'student_id'],
        [3, 'date'],
        [4, 'kind'],
      ]);
      expect(r.estimates[0]).toMatchObject({ kind: 'tutoring', too_few: true });
    } finally {
      await t.cleanup();
    }
  });

  it("should read the store's case steps (embedded store), by each step's kind", async () => {
    const t = await tempDir();
    const saved = { db: process.env.EWS_DB, url: process.env.DATABASE_URL };
    process.env.EWS_DB = join(t.dir, 'db');
    delete process.env.DATABASE_URL;
    try {
      const db = await openDb();
      try {
        const { alert } = await openAlert(db, { student_id: 'sf7d4d953', school_id: 'sch-1965', class_id: '10-1', cause: 'weekly_list', as_of: '2026-03-02' });
        await recordStep(db, alert.id, { step: 'acknowledge', by: 't1', at: new Date('2026-03-03T02:00:00Z') });
        await recordStep(db, alert.id, { step: 'contact', kind: 'home_visit', by: 't1', at: new Date('2026-03-04T02:00:00Z') });
      } finally {
        await db.close();
      }
      const r = await effectsCommand({ data: SAMPLE, asOf: parseDay('2026-06-28'), record: true });
      expect(r.steps).toBe(1);
      expect(r.estimates.map((e) => e.kind)).toEqual(['home_visit']);
      expect(r.estimates[0].too_few).toBe(true);
      // Kept for the analyst page.
      const again = await openDb();
      try {
        const kept = await again.query<{ as_of: string }>("select to_char(as_of, 'YYYY-MM-DD') as as_of from effect_estimates");
        expect(kept.rows).toEqual([{ as_of: '2026-06-28' }]);
      } finally {
        await again.close();
      }
    } finally {
      if (saved.db === undefined) delete process.env.EWS_DB;
      else process.env.EWS_DB = saved.db;
      if (saved.url !== undefined) process.env.DATABASE_URL = saved.url;
      await t.cleanup();
    }
  });
});
