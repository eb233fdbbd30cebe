import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay, parseDay } from '../../../src/dates/index.js';
import { generateDistrict } from '../../../src/generate/index.js';
import { planRun, runInProcess } from '../../../src/pipeline/index.js';
import { loadDistrict, pullFolder, readManifest, readTable, type Table } from '../../../src/sources/index.js';
import { FAR_TODAY, tempDir, writeFolder } from '../../helpers/folder.js';

/**
 * A district's weekly exports, pulled one after another into a kept history, score exactly as the
 * whole folder does; a week read as it was known then holds only what had been pulled by then.
 */
describe('weekly exports pulled into a kept history', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  let history: string;
  let weeks: string[];
  const reports: Awaited<ReturnType<typeof pullFolder>>[] = [];

  beforeAll(async () => {
    t = await tempDir();
    data = join(t.dir, 'district');
    history = join(t.dir, 'history');
    await generateDistrict({ out: data, students: 400, weeks: 8, seed: 5, quizzes: true, layout: { byDate: true, weekly: true } });
    weeks = readdirSync(join(data, 'weeks')).sort();
    for (const w of weeks) reports.push(await pullFolder(join(data, 'weeks', w), { history, seenOn: parseDay(w), today: FAR_TODAY }));
  }, 120_000);
  afterAll(() => t.cleanup());

  it('should count every row as new once, and the re-exported roll as unchanged after the first week', () => {
    expect(reports.map((r) => r.pull)).toEqual(weeks.map((_, k) => k + 1));
    expect(reports[0].sources.students).toEqual({ read: 400, new: 400, changed: 0, unchanged: 0, refused: 0 });
    for (const r of reports.slice(1)) expect(r.sources.students).toEqual({ read: 400, new: 0, changed: 0, unchanged: 400, refused: 0 });
    const attendance = reports.reduce((a, r) => a + (r.sources.attendance?.new ?? 0), 0);
    expect(reports.every((r) => (r.sources.attendance?.changed ?? 0) === 0 && r.totals.refused === 0)).toBe(true);
    return readFile(join(data, 'attendance.csv'), 'utf8').then((text) => expect(attendance).toBe(text.trim().split('\n').length - 1));
  });

  it('should score from the history exactly as from the whole folder', async () => {
    const asOf = parseDay(weeks.at(-1)!) - 6; // the last week's Monday
    const scores = async (from: string, out: string) => {
      const spec = await planRun({ data: from, out: join(t.dir, out), asOf, database: null });
      await runInProcess(spec, { threads: 0 });
      return (await readFile(join(t.dir, out, 'scores.csv'), 'utf8')).trim().split('\n').slice(1).sort();
    };
    const fromFolder = await scores(data, 'from-folder');
    expect(fromFolder.length).toBeGreaterThan(300);
    expect(await scores(history, 'from-history')).toEqual(fromFolder);
  }, 120_000);

  it('should read the history as known on a day: only the pulls seen by then', async () => {
    const day = parseDay(weeks[2]);
    const { district } = await loadDistrict(history, { knownOn: day });
    const dates = district.attendance.int32('date');
    expect(Math.max(...dates)).toBeLessThanOrEqual(day);
    expect(district.attendance.length).toBe(reports.slice(0, 3).reduce((a, r) => a + r.sources.attendance.new, 0));
    const now = await loadDistrict(history);
    expect(Math.max(...now.district.attendance.int32('date'))).toBeGreaterThan(day);
    // A run planned after pull 3 reads up to it in every job, whatever is pulled while it runs.
    const spec = await planRun({ data: history, out: join(t.dir, 'pinned'), asOf: day, database: null });
    expect(spec.throughPull).toBe(weeks.length);
    const pinned = await loadDistrict(history, { throughPull: 3 });
    expect(pinned.district.attendance.length).toBe(district.attendance.length);
  });

  it('should add nothing when the same export is pulled again, and record that it was', async () => {
    const again = await pullFolder(join(data, 'weeks', weeks[3]), { history, today: FAR_TODAY });
    expect(again.totals.new + again.totals.changed).toBe(0);
    expect(again.totals.unchanged).toBe(again.totals.read);
    expect(readManifest(history).pulls).toHaveLength(weeks.length + 1);
    expect(existsSync(join(history, 'attendance', `${String(again.pull).padStart(6, '0')}.tbl`))).toBe(false);
  });
});

/** Rows of one table as text, for comparing what two reads hold. */
const rowsOf = (table: Table, ...columns: string[]) =>
  Array.from({ length: table.length }, (_, i) => columns.map((c) => String((table.columns.get(c)!.data as ArrayLike<unknown>)[i])).join(' '));

describe('a row corrected between pulls', () => {
  it('should keep both versions, read the latest as known now and the first as known before the correction', async () => {
    const t = await tempDir();
    try {
      const history = join(t.dir, 'h');
      const week = (name: string, files: Record<string, string>) => writeFolder(t.dir, name, files);
      const roll = 'student_id,school_id,class_id,grade_level\nA1,S1,7-1,7\nB2,S1,7-1,7\n';
      const first = await week('w1', {
        'students.csv': roll,
        'attendance.csv': 'student_id,date,status\nA1,2025-09-01,absent_unexcused\nB2,2025-09-01,present\n',
        'grades.csv': 'student_id,date,term,subject,exam,score,full_score\nA1,2025-09-05,2025-2026-1,数学,quiz,35,100\n',
        'family_events.csv': 'student_id,date,event\n',
        'subsidies.csv': 'student_id,program,status,effective_from,effective_to\nA1,national_grant,granted,2025-09-01,\n',
      });
      // A week later: the absence re-coded as sick, the grade corrected, the grant stopped, a new day.
      const second = await week('w2', {
        // A1 moves class and a new student joins: every earlier row must still name the right student.
        'students.csv': 'student_id,school_id,class_id,grade_level\nC3,S1,7-2,7\nA1,S1,7-2,7\n',
        'attendance.csv': 'student_id,date,status\nA1,2025-09-01,absent_sick\nB2,2025-09-01,present\nA1,2025-09-08,present\n',
        'grades.csv': 'student_id,date,term,subject,exam,score,full_score\nA1,2025-09-05,2025-2026-1,数学,quiz,53,100\n',
        'subsidies.csv': 'student_id,program,status,effective_from,effective_to\nA1,national_grant,granted,2025-09-01,2025-09-10\n',
      });
      const p1 = await pullFolder(first, { history, seenOn: parseDay('2025-09-07'), today: FAR_TODAY });
      const p2 = await pullFolder(second, { history, seenOn: parseDay('2025-09-14'), today: FAR_TODAY });
      expect(p1.totals).toMatchObject({ new: 6, changed: 0 });
      expect(p2.sources.attendance).toEqual({ read: 3, new: 1, changed: 1, unchanged: 1, refused: 0 });
      expect(p2.sources.grades).toMatchObject({ changed: 1 });
      expect(p2.sources.subsidies).toMatchObject({ changed: 1, new: 0 });

      expect(p2.sources.students).toEqual({ read: 2, new: 1, changed: 1, unchanged: 0, refused: 0 });
      const now = (await loadDistrict(history)).district;
      expect(now.roster.ids).toEqual(['A1', 'B2', 'C3']);
      expect(now.roster.classes[now.roster.classOf[0]].classId).toBe('7-2');
      const absent = now.attendance.uint8('status').indexOf(4);
      expect(now.roster.ids[now.attendance.int32('student_id')[absent]]).toBe('A1');
      // present is code 0, absent_sick 4, absent_unexcused 5.
      expect(rowsOf(now.attendance, 'date', 'status').sort()).toEqual([
        `${parseDay('2025-09-01')} 0`,
        `${parseDay('2025-09-01')} 4`,
        `${parseDay('2025-09-08')} 0`,
      ]);
      expect(Array.from(now.grades.float64('score'))).toEqual([53]);
      expect(formatDay(now.subsidies.int32('effective_to')[0])).toBe('2025-09-10');

      const then = (await loadDistrict(history, { knownOn: parseDay('2025-09-10') })).district;
      expect(rowsOf(then.attendance, 'status').sort()).toEqual(['0', '5']);
      expect(Array.from(then.grades.float64('score'))).toEqual([35]);
      expect(then.subsidies.length).toBe(1);

      // Both versions are on disk, each in the file of the pull that first saw it.
      expect(Array.from((await readTable(join(history, 'grades', '000001.tbl'))).float64('score'))).toEqual([35]);
      expect(Array.from((await readTable(join(history, 'grades', '000002.tbl'))).float64('score'))).toEqual([53]);
    } finally {
      await t.cleanup();
    }
  });
});
