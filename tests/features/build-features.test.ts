import { afterEach, describe, expect, it } from 'vitest';
import { parseDay } from '../../src/dates/index.js';
import { buildFeatures, onRoll, prepare } from '../../src/features/index.js';
import { loadDistrict } from '../../src/sources/index.js';
import { FAR_TODAY, makeFolder } from '../helpers/folder.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function features(files: Record<string, string>, asOf: string) {
  const t = await makeFolder(files);
  cleanups.push(t.cleanup);
  const { district } = await loadDistrict(t.dir, { today: FAR_TODAY });
  return buildFeatures(prepare(district), parseDay(asOf));
}

// 2025-09-01 is a Monday; A1 comes, then stops coming; B2 comes every day.
const days = ['2025-09-01', '2025-09-02', '2025-09-03', '2025-09-04', '2025-09-05', '2025-09-08', '2025-09-09', '2025-09-10'];
const attendance =
  'student_id,date,status,period\n' +
  days.map((d, i) => `A1,${d},${i < 4 ? 'present' : 'absent_unexcused'},`).join('\n') +
  '\n' +
  days.map((d) => `B2,${d},present,`).join('\n') +
  '\n' +
  // a day reported by period: the worst period stands for the day
  'B2,2025-09-11,present,am\nB2,2025-09-11,absent_sick,pm\n';

describe('attendance features', () => {
  it('counts the streak, the days since present and the shares of recorded days', async () => {
    const m = await features({ 'attendance.csv': attendance }, '2025-09-11');
    expect(m.get(0, 'att_unexcused_streak')).toBe(4);
    expect(m.get(0, 'att_days_since_present')).toBe(parseDay('2025-09-11') - parseDay('2025-09-04'));
    expect(m.get(0, 'att_unexcused_days_4w')).toBe(4);
    expect(m.get(0, 'att_unexcused_rate_4w')).toBeCloseTo(4 / 8);
    expect(m.get(1, 'att_unexcused_streak')).toBe(0);
    expect(m.get(1, 'att_sick_rate_4w')).toBeCloseTo(1 / 9);
    expect(m.get(1, 'att_days_since_present')).toBe(1);
  });

  it('reads nothing dated after the as-of date', async () => {
    const m = await features({ 'attendance.csv': attendance }, '2025-09-05');
    expect(m.get(0, 'att_unexcused_streak')).toBe(1);
    expect(m.get(0, 'att_unexcused_days_4w')).toBe(1);
  });
});

describe('grade features', () => {
  const header = 'student_id,date,term,subject,exam,score,full_score\n';
  const rows = (day: string, a: number, b: number) => `A1,${day},t1,数学,monthly,${a},100\nB2,${day},t1,数学,monthly,${b},100\n`;

  it('measures the fall since the previous exam and names the subject', async () => {
    const m = await features({ 'grades.csv': header + rows('2025-10-01', 90, 50) + rows('2025-11-01', 40, 60) }, '2025-11-02');
    // Two students per group is too few for a z-score: standing stays 0, so no change either.
    expect(m.get(0, 'grade_change_prev')).toBe(0);
    expect(m.get(0, 'grade_failing_subjects')).toBe(1);
    expect(m.get(1, 'grade_failing_subjects')).toBe(0);
  });

  it('marks a student with no exam yet as missing, and counts papers not sat', async () => {
    const m = await features({ 'grades.csv': header + 'A1,2025-10-01,t1,数学,monthly,,100\n' }, '2025-10-02');
    expect(m.get(0, 'grade_exams_missed_8w')).toBe(1);
    expect(m.get(1, 'grade_missing')).toBe(1);
  });
});

describe('family and aid features', () => {
  it('weights an event by kind and severity, halving it every 90 days', async () => {
    const fe = 'student_id,date,event,severity,note\nA1,2025-09-01,parent_death,3,私密备注\n';
    const now = await features({ 'family_events.csv': fe }, '2025-09-01');
    const later = await features({ 'family_events.csv': fe }, '2025-11-30');
    expect(now.get(0, 'family_event_load')).toBeCloseTo(1.0 * (0.4 + 0.9));
    expect(later.get(0, 'family_event_load')).toBeCloseTo(now.get(0, 'family_event_load') / 2, 5);
    expect(now.get(0, 'family_recent_severe')).toBe(1);
    expect(later.get(0, 'family_recent_severe')).toBe(0);
    expect(now.detail('family_event_load', 0)).toEqual({ zh: '父母去世（本周）', en: 'a parent died (this week)' });
  });

  it('sees aid in force on the date, a recent stop, and ignores an end date after it', async () => {
    const sub =
      'student_id,program,status,level,amount,effective_from,effective_to\n' +
      'A1,difficulty_certified,granted,2,,2025-09-01,2026-01-31\n' +
      'A1,boarding_allowance,granted,,625,2025-09-01,2025-10-09\n' +
      'A1,boarding_allowance,stopped,,,2025-10-10,\n';
    const m = await features({ 'subsidies.csv': sub }, '2025-10-20');
    expect(m.get(0, 'aid_active_programs')).toBe(1);
    expect(m.get(0, 'aid_difficulty_level')).toBe(2);
    expect(m.get(0, 'aid_stopped_8w')).toBe(1);
    expect(m.detail('aid_stopped_8w', 0)?.zh).toBe('寄宿生生活补助');
    const before = await features({ 'subsidies.csv': sub }, '2025-10-01');
    expect(before.get(0, 'aid_active_programs')).toBe(2);
    expect(before.get(0, 'aid_stopped_8w')).toBe(0);
  });
});

describe('the roll', () => {
  it('leaves out students not yet enrolled and those already gone', async () => {
    const t = await makeFolder({
      'students.csv': 'student_id,school_id,class_id,grade_level,enrolled_on\nA1,S1,1,7,2025-09-01\nB2,S1,1,7,2025-10-01\nC3,S1,1,7,\n',
      'outcomes.csv': 'student_id,date,outcome\nC3,2025-09-20,transferred\nA1,2025-09-25,suspended\n',
    });
    cleanups.push(t.cleanup);
    const { district } = await loadDistrict(t.dir, { today: FAR_TODAY });
    expect(Array.from(onRoll(district, parseDay('2025-09-15')))).toEqual([0, 2]);
    expect(Array.from(onRoll(district, parseDay('2025-10-01')))).toEqual([0, 1]);
  });
});
