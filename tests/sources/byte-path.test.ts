import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay } from '../../src/dates/index.js';
import { generateDistrict } from '../../src/generate/index.js';
import { loadDistrict, type LoadOptions } from '../../src/sources/index.js';
import { damage } from '../helpers/damage.js';
import { tempDir } from '../helpers/folder.js';

/**
 * The byte path (lines read straight from UTF-8 bytes) must read every file exactly as the text
 * path does: the same tables, the same rejects with the same lines, columns and reasons. Checked on
 * the bad-input corpus and on a generated district where one line in five is damaged in one of
 * the ways schools' files are.
 */
const CORPUS = join(import.meta.dirname, '..', 'corpus', 'messy-school');
const TODAY = parseDay('2026-11-25');

async function bothWays(dir: string, extra: LoadOptions = {}) {
  const bytes = await loadDistrict(dir, { today: TODAY, ...extra });
  const text = await loadDistrict(dir, { today: TODAY, ...extra, bytePath: false });
  return { bytes, text };
}

function withoutByteCounts(files: Record<string, { rows_from_bytes: number }>) {
  return Object.fromEntries(Object.entries(files).map(([k, { rows_from_bytes: _, ...rest }]) => [k, rest]));
}

describe('reading lines straight from their bytes', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await generateDistrict({ out: dir, students: 300, weeks: 4, seed: 11, quizzes: true });
    for (const [k, file] of ['attendance.csv', 'grades.csv', 'meal_card.csv', 'wellbeing.csv', 'subsidies.csv'].entries()) {
      expect(await damage(join(dir, file), 100 + k, file === 'meal_card.csv')).toBeGreaterThan(5);
    }
  });
  afterAll(() => cleanup());

  it('should read the bad-input corpus exactly as the text path does', async () => {
    const { bytes, text } = await bothWays(CORPUS);
    expect(bytes.district).toEqual(text.district);
    expect(bytes.report.rejects).toEqual(text.report.rejects);
    expect(withoutByteCounts(bytes.report.files)).toEqual(withoutByteCounts(text.report.files));
    expect(bytes.report.files['attendance.csv'].rows_from_bytes).toBeGreaterThan(0);
  });

  it('should read a district with one line in five damaged exactly as the text path does', async () => {
    const { bytes, text } = await bothWays(dir);
    expect(bytes.report.rejects.length).toBeGreaterThan(500);
    expect(bytes.report.rejects).toEqual(text.report.rejects);
    expect(bytes.district).toEqual(text.district);
    expect(withoutByteCounts(bytes.report.files)).toEqual(withoutByteCounts(text.report.files));
    const att = bytes.report.files['attendance.csv'];
    // Most lines are whole and take the byte path; the text path takes none.
    expect(att.rows_from_bytes).toBeGreaterThan(0.7 * att.rows_read);
    expect(text.report.files['attendance.csv'].rows_from_bytes).toBe(0);
  });

  it('should agree when lines straddle small chunks, and on bytes that are not UTF-8 after the first chunk', async () => {
    // The encoding is judged on the first chunk: small chunks keep meal_card.csv UTF-8 despite its bad bytes.
    const { bytes, text } = await bothWays(dir, { chunkBytes: 977 });
    expect(bytes.report.rejects).toEqual(text.report.rejects);
    expect(bytes.district).toEqual(text.district);
    expect(bytes.report.files['meal_card.csv'].encoding).toBe('utf-8');
    expect(bytes.report.rejects.some((r) => r.file === 'meal_card.csv' && /not text/.test(r.reason))).toBe(true);
    expect(bytes.report.files['meal_card.csv'].rows_from_bytes).toBeGreaterThan(0);
  });

  it('should read on after a line longer than a chunk, numbering the lines after it right', async () => {
    const t = await tempDir();
    try {
      for (const f of ['students.csv', 'grades.csv', 'family_events.csv', 'subsidies.csv']) {
        await writeFile(join(t.dir, f), await readFile(join(dir, f)));
      }
      const ids = (await readFile(join(dir, 'students.csv'), 'utf8'))
        .split('\n')
        .slice(1, 4)
        .map((l) => l.split(',')[0]);
      const huge = 'x'.repeat(1_500_000);
      await writeFile(
        join(t.dir, 'attendance.csv'),
        `student_id,date,status\n${ids[0]},2025-09-01,present\n${ids[1]},2025-09-01,${huge}\n${ids[2]},2025-09-01,late\n${ids[2]},2025-09-02,present\n`,
      );
      const { bytes, text } = await bothWays(t.dir);
      expect(bytes.report.rejects).toEqual(text.report.rejects);
      expect(bytes.report.rejects.filter((r) => r.file === 'attendance.csv').map((r) => [r.line, r.column])).toEqual([[3, 'status']]);
      expect(bytes.district.attendance).toEqual(text.district.attendance);
      expect(Array.from(bytes.district.attendance.line)).toEqual([2, 4, 5]);
    } finally {
      await t.cleanup();
    }
  });

  it('should find students by their bytes in files in date order, and leave ids it cannot match plainly to the text path', async () => {
    const t = await tempDir();
    try {
      // Ids of every kind a roll holds: long, sharing a prefix, full-width (normalised), with a space, not ASCII.
      const roll = ['G44130000a9c48c6f', 'G44130000a9c48c6', 'Ｓ００１', 'S 002', '学003', 'G44130000917c2c2e'];
      await writeFile(join(t.dir, 'students.csv'), `student_id,school_id,class_id,grade_level\n${roll.map((id) => `${id},A,1,7`).join('\n')}\n`);
      for (const f of ['grades.csv', 'family_events.csv', 'subsidies.csv']) {
        await writeFile(join(t.dir, f), `${(await readFile(join(dir, f), 'utf8')).split('\n')[0]}\n`); // the header alone
      }
      const days = ['2025-09-01', '2025-09-02'];
      // Each day names the roll backwards, so neither the last id nor the roll's next one is the row's.
      const cells = [
        'G44130000917c2c2e',
        '学003',
        'S 002',
        'S001',
        'Ｓ００１',
        'G44130000a9c48c6',
        'G44130000a9c48c6f',
        'G44130000a9c48c6fx',
        'G4413',
        ' G44130000917c2c2e',
      ];
      const lines = days.flatMap((d) => cells.map((id) => `${id},${d},present`));
      await writeFile(join(t.dir, 'attendance.csv'), `student_id,date,status\n${lines.join('\r\n')}\r\n`);
      const { bytes, text } = await bothWays(t.dir);
      expect(bytes.report.rejects).toEqual(text.report.rejects);
      expect(bytes.district.attendance).toEqual(text.district.attendance);
      // The two ids not on the roll are refused on both days; S001 written twice (once full-width) repeats a day.
      const refused = bytes.report.rejects.filter((r) => r.file === 'attendance.csv');
      expect(refused.filter((r) => /unknown student_id/.test(r.reason)).map((r) => r.value)).toEqual([
        'G44130000a9c48c6fx',
        'G4413',
        'G44130000a9c48c6fx',
        'G4413',
      ]);
      expect(refused.filter((r) => /repeats line/.test(r.reason)).map((r) => r.line)).toEqual([6, 11, 16, 21]);
      const roster = bytes.district.students.strings('student_id');
      const named = Array.from(bytes.district.attendance.int32('student_id'), (k) => roster[k]);
      expect(named.slice(0, 6)).toEqual(['G44130000917c2c2e', '学003', 'S 002', 'S001', 'G44130000a9c48c6', 'G44130000a9c48c6f']);
      // Most rows were still read from their bytes.
      expect(bytes.report.files['attendance.csv'].rows_from_bytes).toBeGreaterThanOrEqual(8);
    } finally {
      await t.cleanup();
    }
  });
});
