import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDay } from '../../src/dates/index.js';
import { loadDistrict } from '../../src/sources/index.js';

/**
 * tests/corpus/messy-school holds what schools really send, as real bytes: a GBK roll with
 * trailing spaces, a blank line, a repeated id and a full-width digit; a UTF-8-with-BOM attendance
 * file with slashed dates, an Excel serial, a date in the future, a repeated day, a ragged row and
 * an unknown student; grades with an impossible score, a paper not sat, a zero full score and a
 * huge field; a 0-byte family-events file; a subsidies file cut off inside a quote.
 */
const CORPUS = join(import.meta.dirname, '..', 'corpus', 'messy-school');

describe('the bad-input corpus', () => {
  it('should refuse each bad row with its line, column and reason, keep every good one, and not crash', async () => {
    const { district, report } = await loadDistrict(CORPUS, { today: parseDay('2026-11-25') });
    expect(report.rejects.map((r) => [r.file, r.line, r.column])).toEqual([
      ['students.csv', 6, 'student_id'],
      ['students.csv', 7, 'grade_level'],
      ['attendance.csv', 5, 'date'],
      ['attendance.csv', 6, 'date'],
      ['attendance.csv', 7, 'student_id'],
      ['attendance.csv', 8, '(field 4)'],
      ['attendance.csv', 9, 'student_id'],
      ['grades.csv', 2, 'score'],
      ['grades.csv', 4, 'full_score'],
      ['grades.csv', 5, 'subject'],
      ['subsidies.csv', 3, 'effective_to'],
      ['subsidies.csv', 4, ''],
    ]);
    expect(report.rejects.map((r) => r.reason)).toEqual([
      expect.stringMatching(/repeats line 2/),
      expect.stringMatching(/outside 1..12/),
      expect.stringMatching(/Excel date serial/),
      expect.stringMatching(/in the future/),
      expect.stringMatching(/repeats line 3/),
      expect.stringMatching(/4 fields/),
      expect.stringMatching(/unknown student_id/),
      expect.stringMatching(/above full_score/),
      expect.stringMatching(/above 0/),
      expect.stringMatching(/longer than 128/),
      expect.stringMatching(/ends before it starts/),
      expect.stringMatching(/never closed/),
    ]);
    expect(report.rejects.find((r) => r.file === 'subsidies.csv')!.value).toBe('2025-09-01');
    // Every good row is kept: the roll (GBK, trimmed, full-width 7), three attendance days, two grades, one subsidy.
    expect(report.files['students.csv'].encoding).toBe('gb18030');
    expect(district.roster.ids).toEqual(['S01', 'S02', 'S03']);
    expect(Array.from(district.students.float64('grade_level'))).toEqual([7, 7, 7]);
    expect(district.students.codes('class_id').dict).toEqual(['七年级1班', '七年级2班']);
    expect(district.attendance.length).toBe(3);
    expect(district.grades.length).toBe(2);
    expect(Number.isNaN(district.grades.float64('score')[0])).toBe(true); // did not sit: missing, not zero
    expect(district.familyEvents.length).toBe(0);
    expect(district.subsidies.length).toBe(1);
    for (const f of Object.values(report.files)) expect(f.rows_read - f.rows_rejected).toBeGreaterThanOrEqual(0);
  });
});
