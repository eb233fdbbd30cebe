import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { loadDistrict, type Table } from '../../src/sources/index.js';
import { FAR_TODAY, makeFolder } from '../helpers/folder.js';

/**
 * A school system's CSV export names columns and values in Chinese (学号, 出勤状态, 旷课, 男) and is
 * often written in GBK: read as the contract's English names, by the byte path and the text path alike.
 */
const ENGLISH = {
  'students.csv': 'student_id,school_id,class_id,grade_level,gender,left_behind\nA1,S1,7-1,7,M,1\nB2,S1,7-1,7,F,0\n',
  'attendance.csv': 'student_id,date,status\nA1,2025-09-01,absent_unexcused\nB2,2025-09-01,absent_sick\nA1,2025-09-02,present\n',
  'grades.csv': 'student_id,date,term,subject,exam,score,full_score\nA1,2025-09-26,2025-2026-1,数学,monthly,61,120\n',
  'family_events.csv': 'student_id,date,event,severity,source\nA1,2025-09-20,parent_serious_illness,3,home_visit\n',
  'subsidies.csv': 'student_id,program,status,effective_from\nB2,national_grant,granted,2025-09-01\n',
};
const CHINESE = {
  'students.csv': '学号,学校,班级,年级,性别,留守儿童\nA1,S1,7-1,7,男,是\nB2,S1,7-1,7,女,否\n',
  'attendance.csv': '学号,日期,出勤状态\nA1,2025-09-01,旷课\nB2,2025-09-01,病假\nA1,2025-09-02,出勤\n',
  'grades.csv': '学号,考试日期,学期,科目,考试类型,分数,满分\nA1,2025-09-26,2025-2026-1,数学,月考,61,120\n',
  'family_events.csv': '学号,日期,变故类型,严重程度,信息来源\nA1,2025-09-20,父母重病,3,家访\n',
  'subsidies.csv': '学号,资助项目,状态,开始日期\nB2,国家助学金,已发放,2025-09-01\n',
};

const rows = (t: Table) =>
  Array.from({ length: t.length }, (_, i) =>
    t.spec.columns.map((c) => {
      const col = t.columns.get(c.name)!;
      return col.kind === 'codes' ? (col.data[i] < 0 ? '' : col.dict[col.data[i]]) : String((col.data as ArrayLike<unknown>)[i]);
    }),
  );

describe('a CSV export with Chinese names', () => {
  it('should read as the same district as its English form, in UTF-8 or GBK, by either path', async () => {
    const english = await makeFolder(ENGLISH);
    const chinese = await makeFolder(CHINESE);
    const gbk = await makeFolder(Object.fromEntries(Object.entries(CHINESE).map(([f, text]) => [f, iconv.encode(text, 'gbk')])));
    try {
      const want = (await loadDistrict(english.dir, { today: FAR_TODAY })).district;
      for (const dir of [chinese.dir, gbk.dir]) {
        for (const bytePath of [true, false]) {
          const { district, report } = await loadDistrict(dir, { today: FAR_TODAY, bytePath });
          expect(report.rejects).toEqual([]);
          expect(report.files['attendance.csv'].unknown_columns).toEqual([]);
          for (const key of ['students', 'attendance', 'grades', 'familyEvents', 'subsidies'] as const)
            expect(rows(district[key]), key).toEqual(rows(want[key]));
        }
      }
    } finally {
      await Promise.all([english.cleanup(), chinese.cleanup(), gbk.cleanup()]);
    }
  });

  it("should still refuse a value that names nothing, with the contract's list in the reason", async () => {
    const t = await makeFolder({ ...CHINESE, 'attendance.csv': '学号,日期,出勤状态\nA1,2025-09-01,睡觉\n' });
    try {
      const { report } = await loadDistrict(t.dir, { today: FAR_TODAY });
      expect(report.rejects.map((r) => [r.file, r.line, r.column])).toEqual([['attendance.csv', 2, 'status']]);
      expect(report.rejects[0].reason).toMatch(/^not one of present, late/);
    } finally {
      await t.cleanup();
    }
  });
});
