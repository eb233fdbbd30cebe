import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay } from '../../src/dates/index.js';
import { buildFeatures, prepare } from '../../src/features/index.js';
import { generateDistrict, type GenerateResult } from '../../src/generate/index.js';
import { loadDistrict, OUTCOMES, ATTENDANCE_STATUSES, SUBSIDY_PROGRAMS, type District, type LoadReport } from '../../src/sources/index.js';
import { FAR_TODAY, tempDir } from '../helpers/folder.js';

async function digest(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort())
    out[f] = createHash('sha256')
      .update(await readFile(join(dir, f)))
      .digest('hex');
  return out;
}

const UNEXCUSED = ATTENDANCE_STATUSES.indexOf('absent_unexcused');
const DROPPED = OUTCOMES.indexOf('dropped_out');

/** Share of a student's recorded days in (from, to] that were unexcused absences. */
function unexcusedRate(d: District, from: number, to: number): Float64Array {
  const n = d.roster.size;
  const days = new Float64Array(n);
  const bad = new Float64Array(n);
  const s = d.attendance.int32('student_id');
  const day = d.attendance.int32('date');
  const st = d.attendance.uint8('status');
  for (let i = 0; i < d.attendance.length; i++) {
    if (day[i] <= from || day[i] > to) continue;
    days[s[i]]++;
    if (st[i] === UNEXCUSED) bad[s[i]]++;
  }
  return days.map((x, i) => (x > 0 ? bad[i] / x : Number.NaN));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('generateDistrict', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let result: GenerateResult;
  let district: District;
  let report: LoadReport;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    result = await generateDistrict({ out: dir, students: 4000, weeks: 30, seed: 11 });
    ({ district, report } = await loadDistrict(dir, { today: FAR_TODAY }));
  });
  afterAll(() => cleanup());

  it('writes a folder that meets the contract with no rejects', () => {
    expect(report.rejects).toEqual([]);
    expect(Object.keys(report.files).sort()).toEqual([
      'attendance.csv',
      'family_events.csv',
      'grades.csv',
      'meal_card.csv',
      'outcomes.csv',
      'staff.csv',
      'students.csv',
      'subsidies.csv',
      'wellbeing.csv',
    ]);
    for (const [file, rows] of Object.entries(result.rows)) expect(report.files[file].rows_read, file).toBe(rows);
  });

  it('places several schools with classes of about 45', () => {
    expect(result.schools).toBeGreaterThanOrEqual(4);
    const size = new Map<number, number>();
    for (const c of district.roster.classOf) size.set(c, (size.get(c) ?? 0) + 1);
    const full = [...size.values()].slice(0, -1); // the last class may be cut short
    expect(Math.min(...full)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...full)).toBeLessThanOrEqual(50);
  });

  it('is the same district for the same seed, and another for another seed', async () => {
    const a = await tempDir();
    const b = await tempDir();
    const c = await tempDir();
    try {
      await generateDistrict({ out: a.dir, students: 300, weeks: 6, seed: 5 });
      await generateDistrict({ out: b.dir, students: 300, weeks: 6, seed: 5 });
      await generateDistrict({ out: c.dir, students: 300, weeks: 6, seed: 6 });
      expect(await digest(a.dir)).toEqual(await digest(b.dir));
      expect((await digest(c.dir))['attendance.csv']).not.toBe((await digest(a.dir))['attendance.csv']);
    } finally {
      await Promise.all([a.cleanup(), b.cleanup(), c.cleanup()]);
    }
  });

  describe('the planted relationships', () => {
    function dropouts(): { student: number; day: number }[] {
      const o = district.outcomes!;
      const out: { student: number; day: number }[] = [];
      for (let i = 0; i < o.length; i++) if (o.uint8('outcome')[i] === DROPPED) out.push({ student: o.int32('student_id')[i], day: o.int32('date')[i] });
      return out;
    }

    it('drops out a few percent of students over the year', () => {
      const share = dropouts().length / district.roster.size;
      expect(share).toBeGreaterThan(0.01);
      expect(share).toBeLessThan(0.08);
    });

    it('thins attendance in the weeks before a student drops out', () => {
      const gone = dropouts().filter((x) => x.day - 28 > 20_332 + 14);
      expect(gone.length).toBeGreaterThan(20);
      const before: number[] = [];
      const peers: number[] = [];
      const goneSet = new Set(gone.map((g) => g.student));
      for (const g of gone) {
        const rates = unexcusedRate(district, g.day - 28, g.day);
        before.push(rates[g.student]);
        const others = Array.from(rates).filter((r, i) => !goneSet.has(i) && !Number.isNaN(r));
        peers.push(mean(others));
      }
      // The final weeks: most days missed, against a few percent for everyone else.
      expect(mean(before)).toBeGreaterThan(0.4);
      expect(mean(peers)).toBeLessThan(0.06);
    });

    it('raises absence earlier too, before the student starts to leave', () => {
      const gone = dropouts().filter((x) => x.day - 56 > 20_332);
      const early: number[] = [];
      const peers: number[] = [];
      for (const g of gone) {
        const rates = unexcusedRate(district, g.day - 56, g.day - 35);
        if (Number.isNaN(rates[g.student])) continue; // a window inside a holiday
        early.push(rates[g.student]);
        peers.push(mean(Array.from(rates).filter((r) => !Number.isNaN(r))));
      }
      expect(early.length).toBeGreaterThan(10);
      expect(mean(early)).toBeGreaterThan(2 * mean(peers));
    });

    it('writes the aid of students who leave as of those who stay (no row missing tells who will go)', () => {
      // Every junior student of a rural school gets nutrition meals from the first day.
      const sub = district.subsidies;
      const meal = SUBSIDY_PROGRAMS.indexOf('nutrition_meal');
      const fed = new Set<number>();
      for (let i = 0; i < sub.length; i++) if (sub.uint8('program')[i] === meal) fed.add(sub.int32('student_id')[i]);
      const dropped = new Set<number>();
      const o = district.outcomes!;
      for (let i = 0; i < o.length; i++) if (o.uint8('outcome')[i] === DROPPED) dropped.add(o.int32('student_id')[i]);
      const schoolsFed = new Set([...fed].map((s) => district.roster.school[s]));
      const level = district.students.float64('grade_level');
      const eligible = [...Array(district.roster.size).keys()].filter((s) => schoolsFed.has(district.roster.school[s]) && level[s] <= 9);
      const leavers = eligible.filter((s) => dropped.has(s));
      expect(leavers.length).toBeGreaterThan(10);
      expect(leavers.filter((s) => !fed.has(s))).toEqual([]);
      expect(eligible.filter((s) => !fed.has(s)).length).toBeLessThan(eligible.length * 0.02);
    });

    it('lowers spending on the canteen card for students whose aid was stopped', () => {
      const sub = district.subsidies;
      const stopped = new Set<number>();
      for (let i = 0; i < sub.length; i++) if (sub.uint8('status')[i] === 2) stopped.add(sub.int32('student_id')[i]);
      const meal = district.mealCard!;
      const spend = new Map<number, number[]>();
      for (let i = 0; i < meal.length; i++) {
        const s = meal.int32('student_id')[i];
        (spend.get(s) ?? spend.set(s, []).get(s)!).push(meal.float64('amount')[i]);
      }
      const a = [...spend].filter(([s]) => stopped.has(s)).map(([, v]) => mean(v));
      const b = [...spend].filter(([s]) => !stopped.has(s)).map(([, v]) => mean(v));
      expect(a.length).toBeGreaterThan(5);
      expect(mean(a)).toBeLessThan(mean(b));
    });
  });
});

describe('quizzes in a generated district', () => {
  it('should add fortnightly quizzes in three subjects and leave every other row as it was', async () => {
    const plain = await tempDir();
    const quizzed = await tempDir();
    try {
      await generateDistrict({ out: plain.dir, students: 400, weeks: 8, seed: 5 });
      await generateDistrict({ out: quizzed.dir, students: 400, weeks: 8, seed: 5, quizzes: true });
      const [a, b] = [await digest(plain.dir), await digest(quizzed.dir)];
      for (const f of Object.keys(a).filter((f) => f !== 'grades.csv')) expect(b[f], f).toBe(a[f]);
      const lines = (await readFile(join(quizzed.dir, 'grades.csv'), 'utf8')).trim().split('\n').slice(1);
      const before = (await readFile(join(plain.dir, 'grades.csv'), 'utf8')).trim().split('\n').slice(1);
      expect(before).toEqual([]); // 8 weeks end before the first monthly exam
      const quiz = lines.map((l) => l.split(','));
      expect(new Set(quiz.map((q) => q[4]))).toEqual(new Set(['quiz']));
      expect(new Set(quiz.map((q) => q[1]))).toEqual(new Set(['2025-09-12', '2025-09-26', '2025-10-10', '2025-10-24']));
      // Three subjects a quiz day for nearly every student (not those who joined later or left).
      expect(quiz.length).toBeGreaterThan(400 * 4 * 3 * 0.9);
      expect(quiz.length).toBeLessThanOrEqual(400 * 4 * 3);
      const { report } = await loadDistrict(quizzed.dir, { today: FAR_TODAY });
      expect(report.rejects).toEqual([]);
    } finally {
      await plain.cleanup();
      await quizzed.cleanup();
    }
  });
});

describe('when a district is written as schools export it', () => {
  it('should be the same district in date order, with long ids and CRLF: same rows, same features', async () => {
    const plain = await tempDir();
    const exported = await tempDir();
    try {
      await generateDistrict({ out: plain.dir, students: 500, weeks: 10, seed: 8, quizzes: true });
      await generateDistrict({ out: exported.dir, students: 500, weeks: 10, seed: 8, quizzes: true, layout: { byDate: true, longIds: true, crlf: true } });
      const text = await readFile(join(exported.dir, 'attendance.csv'), 'utf8');
      const lines = text.split('\r\n').filter(Boolean);
      expect(text.includes('\n') && !/[^\r]\n/.test(text)).toBe(true);
      const dates = lines.slice(1).map((l) => l.split(',')[1]);
      expect(dates).toEqual([...dates].sort());
      expect(new Set(lines.slice(1).map((l) => l.split(',')[0].length))).toEqual(new Set([17]));
      const a = await loadDistrict(plain.dir, { today: FAR_TODAY });
      const b = await loadDistrict(exported.dir, { today: FAR_TODAY });
      expect(b.report.rejects).toEqual([]);
      for (const [f, r] of Object.entries(a.report.files)) expect(b.report.files[f].rows_read, f).toBe(r.rows_read);
      const asOf = parseDay('2025-11-02');
      const [fa, fb] = [prepare(a.district), prepare(b.district)].map((p) => buildFeatures(p, asOf));
      expect(Array.from(fb.students)).toEqual(Array.from(fa.students));
      expect(fb.values).toEqual(fa.values);
    } finally {
      await plain.cleanup();
      await exported.cleanup();
    }
  });

  it('should be the same district as a folder of one file per school: same rows, same features for each student', async () => {
    const whole = await tempDir();
    const bySchool = await tempDir();
    try {
      const layout = { byDate: true, longIds: true, crlf: true };
      await generateDistrict({ out: whole.dir, students: 500, weeks: 10, seed: 8, quizzes: true, layout });
      await generateDistrict({ out: bySchool.dir, students: 500, weeks: 10, seed: 8, quizzes: true, layout: { ...layout, perSchool: true } });
      const a = await loadDistrict(whole.dir, { today: FAR_TODAY });
      const b = await loadDistrict(bySchool.dir, { today: FAR_TODAY });
      expect(b.report.rejects).toEqual([]);
      const schools = new Set(a.district.students.codes('school_id').dict);
      expect(schools.size).toBeGreaterThan(1);
      for (const [f, r] of Object.entries(a.report.files)) {
        const folder = b.report.files[`${f.replace(/\.csv$/, '')}/`];
        expect(folder.rows_read, f).toBe(r.rows_read);
        // One file per school that has such rows, each named by its school.
        for (const part of folder.parts!) expect(schools.has(part.file.split('/')[1].replace(/\.csv$/, '')), part.file).toBe(true);
      }
      expect(b.report.files['students/'].parts!.length).toBe(schools.size);
      const asOf = parseDay('2025-11-02');
      const byId = (d: typeof a.district) => {
        const m = buildFeatures(prepare(d), asOf);
        const ids = d.students.strings('student_id');
        return new Map(Array.from(m.students, (s, r) => [ids[s], Array.from(m.values.subarray(r * m.width, (r + 1) * m.width))]));
      };
      const [fa, fb] = [byId(a.district), byId(b.district)];
      expect(fb.size).toBe(fa.size);
      for (const [id, values] of fa) expect(fb.get(id), id).toEqual(values);
    } finally {
      await whole.cleanup();
      await bySchool.cleanup();
    }
  });
});
