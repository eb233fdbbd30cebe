import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDistrict } from '../../src/sources/index.js';
import { FAR_TODAY, makeFolder } from '../helpers/folder.js';

/**
 * A source may come as a folder of files (`attendance/<school>.csv`), as districts gather what each
 * school's system exports: read as one table, each file's rejects named by the file, and a row
 * repeated across two files refused like one repeated within a file.
 */
async function withParts(parts: Record<string, Record<string, string>>, files: Record<string, string | null> = {}) {
  const t = await makeFolder(files);
  for (const [source, byName] of Object.entries(parts)) {
    await mkdir(join(t.dir, source));
    for (const [name, text] of Object.entries(byName)) await writeFile(join(t.dir, source, name), text);
  }
  return t;
}

describe('a source sent as a folder of files', () => {
  it('should read every file of the folder as one table, and name the file inside in each reject', async () => {
    const t = await withParts(
      {
        students: {
          's1.csv': 'student_id,school_id,class_id,grade_level\nA1,S1,7-1,7\nB2,S1,7-1,7\n',
          's2.csv': 'student_id,school_id,class_id,grade_level\nC3,S2,8-1,8\nA1,S2,8-1,8\n',
        },
        attendance: {
          's1.csv': 'student_id,date,status\r\nA1,2025-09-01,present\r\nB2,2025-09-01,absent_unexcused\r\n',
          's2.csv': 'student_id,date,status\nC3,2025-09-01,late\nC3,2025-09-02,sleeping\nA1,2025-09-01,late\nC3,2025-09-01,present\n',
          'notes.txt': 'not data',
        },
      },
      { 'students.csv': null, 'attendance.csv': null },
    );
    try {
      const { district, report } = await loadDistrict(t.dir, { today: FAR_TODAY });
      expect(district.students.strings('student_id')).toEqual(['A1', 'B2', 'C3']);
      expect(district.attendance.length).toBe(3);
      expect(report.files['attendance/'].rows_read).toBe(6);
      expect(report.files['attendance/'].parts!.map((p) => p.file)).toEqual(['attendance/s1.csv', 'attendance/s2.csv']);
      expect(report.rejects.map((r) => [r.file, r.line, r.column])).toEqual([
        ['students/s2.csv', 3, 'student_id'],
        ['attendance/s2.csv', 3, 'status'],
        ['attendance/s2.csv', 4, 'student_id'],
        ['attendance/s2.csv', 5, 'student_id'],
      ]);
      // Across files, a repeat names the file and line it repeats.
      expect(report.rejects[0].reason).toBe('repeats students/s1.csv line 2 (same student_id)');
      expect(report.rejects[2].reason).toBe('repeats attendance/s1.csv line 2 (same student_id, date, period)');
      expect(report.rejects[3].reason).toBe('repeats line 2 (same student_id, date, period)'); // within one file, as for a single file
      expect(report.files['students/'].rows_rejected).toBe(1);
      expect(report.files['attendance/'].rows_rejected).toBe(3);
      expect(report.files['attendance/'].parts!.map((p) => p.rows_rejected)).toEqual([0, 3]);
    } finally {
      await t.cleanup();
    }
  });

  it('should refuse a source given both as a file and as a folder, naming both', async () => {
    const t = await withParts({ attendance: { 'a.csv': 'student_id,date,status\nA1,2025-09-02,present\n' } });
    try {
      await expect(loadDistrict(t.dir, { today: FAR_TODAY })).rejects.toThrow(/both attendance\.csv and a folder attendance\/: keep one/);
    } finally {
      await t.cleanup();
    }
  });

  it('should read an empty folder as a source with no rows, and a missing one as missing', async () => {
    const t = await withParts({ family_events: {} }, { 'family_events.csv': null });
    try {
      const { district, report } = await loadDistrict(t.dir, { today: FAR_TODAY });
      expect(district.familyEvents.length).toBe(0);
      expect(report.files['family_events/'].rows_read).toBe(0);
    } finally {
      await t.cleanup();
    }
    const u = await withParts({ students: {} }, { 'students.csv': null });
    try {
      await expect(loadDistrict(u.dir, { today: FAR_TODAY })).rejects.toThrow(/lacks required file students\/ \(it holds no \.csv or \.jsonl file\)/);
    } finally {
      await u.cleanup();
    }
  });
});
