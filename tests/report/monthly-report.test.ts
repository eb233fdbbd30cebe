import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay } from '../../src/dates/index.js';
import { openAlert } from '../../src/followup/index.js';
import { reportCommand, schoolYearStart, type ReportRow } from '../../src/report/index.js';
import { freshDb, POSTGRES_URL } from '../helpers/databases.js';
import { makeFolder } from '../helpers/folder.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Two townships, three schools. In school A (镇一): a1 dropped out in September and is still gone, a2
 * dropped out in March and came back in March, a3 transferred out in March, a4 enrolled in October,
 * a5 absent without excuse for the last three school days. In school B (镇一) b3 transferred out in
 * January and no school has confirmed receiving them; b4's transfer was confirmed. School C (镇二) lost
 * c1 in March.
 */
const FILES = {
  'students.csv': [
    'student_id,school_id,class_id,grade_level,enrolled_on',
    'a1,A,7-1,7,2025-09-01',
    'a2,A,7-1,7,2025-09-01',
    'a3,A,7-1,7,2025-09-01',
    'a4,A,7-1,7,2025-10-08',
    'a5,A,7-1,7,2025-09-01',
    'a6,A,7-1,7,2025-09-01',
    'b1,B,8-1,8,2025-09-01',
    'b2,B,8-1,8,2025-09-01',
    'b3,B,8-1,8,2025-09-01',
    'b4,B,8-1,8,2025-09-01',
    'c1,C,9-1,9,2025-09-01',
    'c2,C,9-1,9,2025-09-01',
  ].join('\n'),
  'attendance.csv': [
    'student_id,date,status',
    'a5,2026-03-11,present',
    'a5,2026-03-12,absent_unexcused',
    'a5,2026-03-13,absent_unexcused',
    'a5,2026-03-16,absent_unexcused',
    'a6,2026-03-13,absent_unexcused',
    'a6,2026-03-16,absent_unexcused',
    'b1,2026-03-16,present',
  ].join('\n'),
  'outcomes.csv': [
    'student_id,date,outcome',
    'a1,2025-09-20,dropped_out',
    'a2,2026-03-02,dropped_out',
    'a2,2026-03-10,returned',
    'a3,2026-03-05,transferred',
    'b3,2026-01-10,transferred',
    'b4,2026-02-01,transferred',
    'b4,2026-02-05,transfer_confirmed',
    'c1,2026-03-09,dropped_out',
    'c2,2026-04-01,dropped_out',
  ].join('\n'),
  'schools.csv': 'school_id,school_name,township,county\nA,第一中学,镇一,某县\nB,第二中学,镇一,某县\nC,第三中学,镇二,某县\n',
};
const AS_OF = parseDay('2026-03-16');

describe('the monthly 控辍保学 report', () => {
  let t: Awaited<ReturnType<typeof makeFolder>>;
  let rows: ReportRow[];
  const row = (level: ReportRow['level'], key: string) => rows.find((r) => r.level === level && (level === 'school' ? r.school_id : r.township) === key)!;

  beforeAll(async () => {
    t = await makeFolder(Object.fromEntries(Object.entries(FILES).map(([k, v]) => [k, `${v}\n`])));
    rows = (await reportCommand({ data: t.dir, asOf: AS_OF, out: join(t.dir, 'out'), database: null })).rows;
  });
  afterAll(() => t.cleanup());

  it('should count the roll, the month and the year as README says', () => {
    const a = row('school', 'A');
    expect(a).toMatchObject({
      school_name: '第一中学',
      township: '镇一',
      enrolled: 4, // a2 (back), a4, a5, a6; not a1 (gone), not a3 (transferred)
      enrolled_month_start: 5, // a2, a3, a4, a5, a6 on 1 March
      enrolled_year_start: 5, // a1, a2, a3, a5, a6 on 1 September (a4 came in October)
      dropped_month: 1, // a2, though back since
      dropped_year: 1, // a1: a2 came back
      transferred_month: 1,
      returned_month: 1,
      suspected: 1, // a5: three school days running; a6 only two
      open_cases: null,
      overdue_cases: null,
    });
    expect(a.retention).toBeCloseTo(4 / 5, 10);
    // c2's dropout is after D: not counted, and c2 is still on the roll.
    expect(row('school', 'C')).toMatchObject({ enrolled: 1, dropped_month: 1, dropped_year: 1 });
  });

  it('should add schools up by township and for the whole district', () => {
    expect(row('school', 'A')).toMatchObject({ transfers_unconfirmed: 1, transfers_overdue: 0 }); // a3: 11 days
    expect(row('school', 'B')).toMatchObject({ enrolled: 2, transfers_unconfirmed: 1, transfers_overdue: 1 }); // b3, not b4
    expect(row('township', '镇一')).toMatchObject({ enrolled: 6, enrolled_year_start: 9, dropped_year: 1, suspected: 1, transfers_overdue: 1 });
    expect(row('township', '镇二')).toMatchObject({ enrolled: 1, dropped_year: 1 });
    const total = rows.at(-1)!;
    expect(total.level).toBe('total');
    expect(total).toMatchObject({ enrolled: 7, enrolled_year_start: 11, dropped_year: 2, dropped_month: 2 });
    expect(total.retention).toBeCloseTo(9 / 11, 10);
    // Each township's rows follow its schools.
    expect(rows.map((r) => `${r.level}:${r.school_id || r.township}`)).toEqual([
      'school:A',
      'school:B',
      'township:镇一',
      'school:C',
      'township:镇二',
      'total:',
    ]);
  });

  it("should count the year's losses against its starting roll only, and let a day's return win whatever the row order", async () => {
    const f = await makeFolder({
      'students.csv':
        'student_id,school_id,class_id,grade_level,enrolled_on\nx1,X,7-1,7,2025-09-01\nm1,X,7-1,7,2025-10-08\nr3,X,7-1,7,2025-09-01\nd1,X,7-1,7,2025-09-01\nd2,X,7-1,7,2025-09-01\n',
      'outcomes.csv': [
        'student_id,date,outcome',
        'm1,2025-11-01,dropped_out', // enrolled after 1 September: not in the base
        'r3,2025-10-01,dropped_out',
        'r3,2025-10-20,returned',
        'r3,2026-02-01,transferred', // came back, then transferred: not a loss
        'd1,2026-03-02,returned', // the same day, the return written first …
        'd1,2026-03-02,dropped_out', // … still wins
        'd2,2026-03-02,dropped_out',
      ].join('\n'),
      // Chinese headers, and a school nobody is enrolled in yet.
      'schools.csv': '学校代码,学校名称,乡镇,县\nX,新校,镇三,某县\nY,空校,镇三,某县\n',
    });
    try {
      const r = (await reportCommand({ data: f.dir, asOf: AS_OF, out: join(f.dir, 'out'), database: null })).rows;
      const x = r.find((row) => row.school_id === 'X')!;
      expect(x).toMatchObject({ school_name: '新校', township: '镇三', enrolled_year_start: 4, enrolled: 2, dropped_year: 1 }); // d2 only
      expect(x.retention).toBeCloseTo(3 / 4, 10);
      expect(r.find((row) => row.school_id === 'Y')).toMatchObject({ school_name: '空校', enrolled: 0, retention: null });
      expect(r.find((row) => row.level === 'township')).toMatchObject({ township: '镇三', enrolled: 2 });
    } finally {
      await f.cleanup();
    }
  });

  it('should start the school year on 1 September', () => {
    expect(schoolYearStart(parseDay('2026-03-16'))).toBe(parseDay('2025-09-01'));
    expect(schoolYearStart(parseDay('2026-09-01'))).toBe(parseDay('2026-09-01'));
  });

  it('should count open and overdue cases per school from the system of record', async () => {
    const { db, cleanup } = await freshDb('postgres');
    try {
      const { rows: s } = await db.query<{ s: string }>('select current_schema() as s');
      const old = await openAlert(db, { student_id: 'a5', school_id: 'A', class_id: '7-1', cause: 'absence_streak', as_of: '2026-03-01', risk: 0.2 });
      await db.query(`update alerts set opened_at = '2026-03-01T09:00:00+08' where id = $1`, [old.alert.id]);
      await openAlert(db, { student_id: 'c1', school_id: 'C', class_id: '9-1', cause: 'by_hand', as_of: '2026-03-16', risk: 0.1 });
      await db.query(`update alerts set opened_at = '2026-03-15T09:00:00+08' where student_id = 'c1'`);
      // A step on a5's case after D: D's report still shows it overdue.
      await db.query(
        `insert into case_steps (alert_id, step, from_status, to_status, by_staff, at) values ($1, 'acknowledge', 'new', 'acknowledged', 't1', '2026-03-20T09:00:00+08')`,
        [old.alert.id],
      );
      const r = await reportCommand({
        data: t.dir,
        asOf: AS_OF,
        out: join(t.dir, 'with-cases'),
        database: `${POSTGRES_URL}?options=-c%20search_path%3D${s[0].s}`,
      });
      const a = r.rows.find((x) => x.school_id === 'A')!;
      const c = r.rows.find((x) => x.school_id === 'C')!;
      expect([a.open_cases, a.overdue_cases]).toEqual([1, 1]); // untouched for over a week
      expect([c.open_cases, c.overdue_cases]).toEqual([1, 0]);
      expect(r.rows.find((x) => x.school_id === 'B')!.open_cases).toBe(0);
      expect(r.rows.at(-1)!.open_cases).toBe(2);
    } finally {
      await cleanup();
    }
  });

  it('should write report.xlsx with Chinese headers and report.csv with a BOM, from the shipped command', async () => {
    const out = join(t.dir, 'cli');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'bin', 'ews.js'), 'report', '--data', t.dir, '--as-of', '2026-03-16', '--out', out, '--no-record'],
      {
        env: { ...process.env, EWS_LOG_LEVEL: 'warn' },
      },
    );
    const line = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(line).toMatchObject({ schools: 3, townships: 2, cases: 'none' });
    const csv = await readFile(join(out, 'report.csv'));
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toContain('在籍学生');
    expect(lines).toHaveLength(1 + 6);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(out, 'report.xlsx'));
    const ws = wb.getWorksheet('控辍保学月报')!;
    expect(ws.getRow(2).values).toContain('巩固率（学年内）');
    const header = (ws.getRow(2).values as unknown[]).slice(1);
    const totalRow = (ws.getRow(2 + 6).values as unknown[]).slice(1);
    expect(totalRow[header.indexOf('层级')]).toBe('合计');
    expect(totalRow[header.indexOf('在籍学生')]).toBe(7);
    expect(totalRow[header.indexOf('巩固率（学年内）')]).toBeCloseTo(0.8182, 4);
  });
});
