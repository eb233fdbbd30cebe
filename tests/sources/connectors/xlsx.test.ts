import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDay, parseDay } from '../../../src/dates/index.js';
import { generateDistrict } from '../../../src/generate/index.js';
import { planRun, runInProcess } from '../../../src/pipeline/index.js';
import { loadDistrict, pullFrom } from '../../../src/sources/index.js';
import { FAR_TODAY, tempDir } from '../../helpers/folder.js';

/** Workbooks as 学籍 and attendance systems export them: a sheet per source, Chinese names and values. */
describe('pulling an .xlsx workbook', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    t = await tempDir();
  });
  afterEach(() => t.cleanup());

  const schoolBook = async (path: string, school: string, ids: string[]) => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('说明').addRow(['本表由学籍系统导出']);
    const roll = wb.addWorksheet('学生');
    roll.addRow(['学号', '学校', '班级', '年级', '性别', '出生日期', '留守儿童']);
    ids.forEach((id, k) => roll.addRow([id, school, '7-1', 7, k % 2 ? '女' : '男', new Date(Date.UTC(2012, 4, 9 + k)), k === 0 ? '是' : '否']));
    const att = wb.addWorksheet('考勤');
    att.addRow(['学号', '日期', '出勤状态']);
    att.addRow([ids[0], new Date(Date.UTC(2025, 8, 1)), '旷课']);
    att.addRow([ids[1], '2025-09-01', { richText: [{ text: '病' }, { text: '假' }] }]);
    att.addRow([]);
    att.addRow([ids[0], { formula: 'DATE(2025,9,2)', result: new Date(Date.UTC(2025, 8, 2)) }, '出勤']);
    att.addRow([ids[1], '2025-09-02', '睡觉']); // not a status: refused at its sheet row
    att.addRow([Number('123456789012345678'), '2025-09-02', '出勤']); // an id Excel has rounded
    const grades = wb.addWorksheet('成绩');
    grades.addRow(['学号', '考试日期', '学期', '科目', '考试类型', '分数', '满分']);
    grades.addRow([ids[0], new Date(Date.UTC(2025, 8, 26)), '2025-2026-1', '数学', '月考', 61, 120]);
    await wb.xlsx.writeFile(path);
  };

  it('should map sheets, headers and values to the contract, and name each refused row by its sheet and row', async () => {
    const book = join(t.dir, '学校A.xlsx');
    await schoolBook(book, 'S1', ['A1', 'B2']);
    const history = join(t.dir, 'h');
    const r = await pullFrom({ data: book }, { history, today: FAR_TODAY });
    expect(Object.keys(r.sources).sort()).toEqual(['attendance', 'grades', 'students']);
    expect(r.sources.attendance).toEqual({ read: 3, new: 3, changed: 0, unchanged: 0, refused: 2 });
    const rejects = (await readFile(r.rejects!, 'utf8')).trim().split('\n').slice(1);
    expect(rejects.map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['学校A.xlsx:考勤,6,status', '学校A.xlsx:考勤,7,student_id']);
    expect(rejects[1]).toMatch(/Excel keeps 15 digits/);

    const { district } = await loadDistrict(history, { partial: true });
    const s = district.students;
    expect(s.strings('student_id')).toEqual(['A1', 'B2']);
    expect(Array.from(s.uint8('gender'))).toEqual([1, 0]); // GENDERS are F, M, X: 男 → M, 女 → F
    expect(formatDay(s.int32('birth_date')[0])).toBe('2012-05-09');
    expect(Array.from(s.int8('left_behind'))).toEqual([1, 0]);
    const a = district.attendance;
    const rows = Array.from({ length: a.length }, (_, i) => `${formatDay(a.int32('date')[i])} ${a.uint8('status')[i]}`);
    expect(rows).toEqual(['2025-09-01 5', '2025-09-01 4', '2025-09-02 0']);
    expect(district.grades.uint8('exam')[0]).toBe(0); // 月考 → monthly
  });

  it('should read a folder of workbooks, one per school, as one district', async () => {
    const dir = join(t.dir, 'books');
    await mkdir(dir);
    await schoolBook(join(dir, 'S1.xlsx'), 'S1', ['A1', 'B2']);
    await schoolBook(join(dir, 'S2.xlsx'), 'S2', ['C3', 'D4']);
    const history = join(t.dir, 'h');
    const r = await pullFrom({ data: dir }, { history, today: FAR_TODAY });
    expect(r.sources.students.new).toBe(4);
    expect(r.sources.attendance.refused).toBe(4);
    const rejects = (await readFile(r.rejects!, 'utf8')).trim().split('\n').slice(1);
    expect(rejects.map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['S1.xlsx:考勤,6', 'S2.xlsx:考勤,6', 'S1.xlsx:考勤,7', 'S2.xlsx:考勤,7']);
    const { district } = await loadDistrict(history, { partial: true });
    expect(district.roster.schools).toEqual(['S1', 'S2']);
  });

  it('should score a district sent as a workbook exactly as the same district sent as CSV files', async () => {
    const data = join(t.dir, 'd');
    await generateDistrict({ out: data, students: 150, weeks: 6, seed: 4 });
    const wb = new ExcelJS.Workbook();
    for (const name of ['students', 'staff', 'attendance', 'grades', 'family_events', 'subsidies', 'wellbeing', 'meal_card', 'outcomes']) {
      const ws = wb.addWorksheet(name);
      const lines = (await readFile(join(data, `${name}.csv`), 'utf8')).trim().split('\n');
      for (const line of lines) ws.addRow(line.split(','));
    }
    const book = join(t.dir, 'district.xlsx');
    await wb.xlsx.writeFile(book);
    const fromBook = await pullFrom({ data: book }, { history: join(t.dir, 'hb'), today: FAR_TODAY });
    expect(fromBook.totals.refused).toBe(0);
    const scores = async (from: string, out: string) => {
      const spec = await planRun({ data: from, out: join(t.dir, out), asOf: parseDay('2025-10-06'), database: null });
      await runInProcess(spec, { threads: 0 });
      return (await readFile(join(t.dir, out, 'scores.csv'), 'utf8')).trim().split('\n').slice(1).sort();
    };
    const csv = await scores(data, 'o1');
    expect(csv.length).toBeGreaterThan(100);
    expect(await scores(join(t.dir, 'hb'), 'o2')).toEqual(csv);
  }, 120_000);
});
