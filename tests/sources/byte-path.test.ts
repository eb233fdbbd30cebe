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
});
