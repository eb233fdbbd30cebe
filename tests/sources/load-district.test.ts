import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { ContractError } from '../../src/errors/index.js';
import { loadDistrict, NO_DAY } from '../../src/sources/index.js';
import { FAR_TODAY, makeFolder } from '../helpers/folder.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function load(files: Record<string, string | Buffer | null>, today = FAR_TODAY) {
  const t = await makeFolder(files);
  cleanups.push(t.cleanup);
  return loadDistrict(t.dir, { today });
}

describe('when a row breaks the contract', () => {
  const cases: [string, string, string, number, string, RegExp][] = [
    ['a status outside its list', 'attendance.csv', 'student_id,date,status\nA1,2025-09-01,present\nA1,2025-09-02,asleep\n', 3, 'status', /not one of/],
    ['a date that does not exist', 'attendance.csv', 'student_id,date,status\nA1,2025-02-30,present\n', 2, 'date', /not a date/],
    ['an Excel date serial', 'attendance.csv', 'student_id,date,status\nA1,45901,present\n', 2, 'date', /Excel date serial/],
    ['a missing required value', 'attendance.csv', 'student_id,date,status\nA1,,present\n', 2, 'date', /required value is empty/],
    ['an unknown student', 'attendance.csv', 'student_id,date,status\nA1,2025-09-01,present\nZZ9,2025-09-01,present\n', 3, 'student_id', /unknown student_id/],
    ['more fields than the header', 'attendance.csv', 'student_id,date,status\nA1,2025-09-01,present,extra\n', 2, '(field 4)', /4 fields; the header has 3/],
    [
      'a score above its full score',
      'grades.csv',
      'student_id,date,term,subject,exam,score,full_score\nA1,2025-10-30,t1,数学,monthly,121,120\n',
      2,
      'score',
      /above full_score/,
    ],
    [
      'a full score of zero',
      'grades.csv',
      'student_id,date,term,subject,exam,score,full_score\nA1,2025-10-30,t1,数学,monthly,0,0\n',
      2,
      'full_score',
      /above 0/,
    ],
    [
      'a span that ends before it starts',
      'subsidies.csv',
      'student_id,program,status,effective_from,effective_to\nA1,national_grant,granted,2025-09-01,2025-08-01\n',
      2,
      'effective_to',
      /ends before it starts/,
    ],
    ['a severity outside 1..3', 'family_events.csv', 'student_id,date,event,severity\nA1,2025-10-01,parent_job_loss,4\n', 2, 'severity', /outside 1..3/],
    [
      'a boolean it cannot read',
      'students.csv',
      'student_id,school_id,class_id,grade_level,boarding\nA1,S1,7-1,7,maybe\nB2,S1,7-1,7,是\n',
      2,
      'boarding',
      /not a boolean/,
    ],
    [
      'a grade level outside 1..12',
      'students.csv',
      'student_id,school_id,class_id,grade_level\nA1,S1,7-1,7\nB2,S1,7-1,13\n',
      3,
      'grade_level',
      /outside 1..12/,
    ],
    [
      'a second row for a student id',
      'students.csv',
      'student_id,school_id,class_id,grade_level\nA1,S1,7-1,7\nB2,S1,7-1,7\nA1,S1,7-2,7\n',
      4,
      'student_id',
      /repeats line 2/,
    ],
    [
      'a repeated day in a file ordered by student and day',
      'attendance.csv',
      'student_id,date,status\nA1,2025-09-01,present\nA1,2025-09-01,late\nA1,2025-09-02,present\nB2,2025-09-01,present\n',
      3,
      'student_id',
      /repeats line 2/,
    ],
    [
      'a second attendance row for the same day',
      'attendance.csv',
      'student_id,date,status\nA1,2025-09-01,present\nB2,2025-09-01,present\nA1,2025-09-01,late\n',
      4,
      'student_id',
      /repeats line 2/,
    ],
  ];

  it.each(cases)('refuses %s at its line and column, and keeps the rest', async (_what, file, content, line, column, reason) => {
    const { report, district } = await load({ [file]: content });
    const rejects = report.rejects.filter((r) => r.file === file);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ file, line, column });
    expect(rejects[0].reason).toMatch(reason);
    expect(report.files[file].rows_rejected).toBe(1);
    const rows = content.trim().split('\n').length - 1;
    expect(report.files[file].rows_read).toBe(rows);
    const kept = {
      'attendance.csv': district.attendance,
      'grades.csv': district.grades,
      'subsidies.csv': district.subsidies,
      'family_events.csv': district.familyEvents,
      'students.csv': district.students,
    }[file]!;
    expect(kept.length).toBe(rows - 1);
  });

  it('refuses a date in the future', async () => {
    const { report } = await load({ 'attendance.csv': 'student_id,date,status\nA1,2025-09-01,present\nA1,2025-09-03,present\n' }, 20_333 /* 2025-09-02 */);
    const rejects = report.rejects.filter((r) => r.file === 'attendance.csv');
    expect(rejects).toMatchObject([{ line: 3, column: 'date', reason: expect.stringMatching(/future/) }]);
  });

  it('never writes a family-event note into rejects', async () => {
    const { report } = await load({ 'family_events.csv': `student_id,date,event,note\nA1,2025-10-01,parent_job_loss,${'秘'.repeat(5000)}\n` });
    expect(report.rejects).toMatchObject([{ column: 'note', value: '[withheld]' }]);
  });
});

describe('when a file or column is missing', () => {
  it('stops with one message naming the missing file', async () => {
    await expect(load({ 'grades.csv': null })).rejects.toThrow(/lacks required file grades\.csv/);
  });

  it('stops with one message naming the missing column', async () => {
    await expect(load({ 'attendance.csv': 'student_id,date\nA1,2025-09-01\n' })).rejects.toThrow(ContractError);
    await expect(load({ 'attendance.csv': 'student_id,date\nA1,2025-09-01\n' })).rejects.toThrow(/attendance\.csv lacks required column status/);
  });

  it('reads a file that may be empty with only its header, or with no bytes at all', async () => {
    const { district, report } = await load({ 'family_events.csv': '' });
    expect(district.familyEvents.length).toBe(0);
    expect(report.files['family_events.csv'].rows_read).toBe(0);
  });

  it('leaves an absent optional file out of the report', async () => {
    const { report, district } = await load({});
    expect(report.files['wellbeing.csv']).toBeUndefined();
    expect(district.wellbeing).toBeNull();
  });
});

describe('when files come in the forms schools send', () => {
  const students =
    'student_id,school_id,class_id,grade_level,left_behind,boarding,rural_hukou,orphan\nA1,S1,七年级1班,7,是,yes,1,TRUE\nB2,S1,七年级1班,7,否,no,0,false\n';

  it('reads GBK (as written by Excel on Chinese Windows) like UTF-8', async () => {
    const utf8 = await load({ 'students.csv': students });
    const gbk = await load({ 'students.csv': iconv.encode(students, 'gbk') });
    expect(gbk.report.files['students.csv'].encoding).toBe('gb18030');
    expect(gbk.district.students.codes('class_id').dict).toEqual(['七年级1班']);
    expect(gbk.district.students.int8('left_behind')).toEqual(utf8.district.students.int8('left_behind'));
    expect(gbk.report.rejects).toEqual([]);
  });

  it('reads UTF-8 with a byte-order mark, the header included', async () => {
    const { district, report } = await load({ 'students.csv': '\uFEFF' + students });
    expect(report.rejects).toEqual([]);
    expect(district.students.strings('student_id')).toEqual(['A1', 'B2']);
  });

  it('accepts every boolean form of the contract', async () => {
    const { district } = await load({ 'students.csv': students });
    expect(Array.from(district.students.int8('left_behind'))).toEqual([1, 0]);
    expect(Array.from(district.students.int8('boarding'))).toEqual([1, 0]);
    expect(Array.from(district.students.int8('orphan'))).toEqual([1, 0]);
    expect(Array.from(district.students.int8('disability'))).toEqual([-1, -1]);
  });

  it('accepts slashed dates, full-width digits and stray spaces', async () => {
    const { district, report } = await load({
      'attendance.csv': 'student_id,date,status\nA1,2025/9/1,present\n B2 ,２０２５-０９-０２, late \n',
    });
    expect(report.rejects).toEqual([]);
    expect(Array.from(district.attendance.int32('date'))).toEqual([20_332, 20_333]);
  });

  it('reads JSON Lines into the same tables as CSV', async () => {
    const csv =
      'student_id,date,term,subject,exam,score,full_score\nA1,2025-10-30,t1,数学,monthly,88,120\nB2,2025-10-30,t1,数学,monthly,,120\nB2,2025-10-31,t1,语文,final,200,150\n';
    const jsonl = [
      { student_id: 'A1', date: '2025-10-30', term: 't1', subject: '数学', exam: 'monthly', score: 88, full_score: 120 },
      { student_id: 'B2', date: '2025-10-30', term: 't1', subject: '数学', exam: 'monthly', score: null, full_score: 120 },
      { student_id: 'B2', date: '2025-10-31', term: 't1', subject: '语文', exam: 'final', score: 200, full_score: 150 },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n');
    const a = await load({ 'grades.csv': csv });
    const b = await load({ 'grades.csv': null, 'grades.jsonl': jsonl });
    expect(Array.from(b.district.grades.float64('score'))).toEqual(Array.from(a.district.grades.float64('score')));
    expect(Array.from(b.district.grades.int32('student_id'))).toEqual(Array.from(a.district.grades.int32('student_id')));
    expect(b.report.rejects.map((r) => [r.line, r.column])).toEqual([[3, 'score']]);
    expect(a.report.rejects.map((r) => [r.line, r.column])).toEqual([[4, 'score']]);
  });

  it('refuses a JSON Lines row that is not JSON, and keeps the others', async () => {
    const { report, district } = await load({
      'attendance.csv': null,
      'attendance.jsonl': '{"student_id":"A1","date":"2025-09-01","status":"present"}\n{oops\n{"student_id":"B2","date":"2025-09-01","status":"late"}\n',
    });
    expect(report.rejects).toMatchObject([{ file: 'attendance.jsonl', line: 2, reason: expect.stringMatching(/not valid JSON/) }]);
    expect(district.attendance.length).toBe(2);
  });

  it('ignores unknown columns with a note in the report', async () => {
    const { report } = await load({ 'attendance.csv': 'student_id,date,status,remark\nA1,2025-09-01,present,ok\n' });
    expect(report.files['attendance.csv'].unknown_columns).toEqual(['remark']);
    expect(report.rejects).toEqual([]);
  });

  it('stores an empty score as missing, not zero', async () => {
    const { district } = await load({ 'grades.csv': 'student_id,date,term,subject,exam,score,full_score\nA1,2025-10-30,t1,数学,monthly,,120\n' });
    expect(district.grades.float64('score')[0]).toBeNaN();
    expect(district.students.int32('birth_date')[0]).toBe(NO_DAY);
  });
});
