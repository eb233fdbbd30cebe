import { isoWeekday, type Day } from '../dates/index.js';

/**
 * A Chinese school year laid out from its first Monday: weekdays, less the National Day
 * holiday, the winter break and the spring holidays; exams on fixed days of the year.
 * Offsets are days from the start, so any start date gives the same shape of year.
 */
const HOLIDAYS: readonly [number, number][] = [
  [30, 37], // National Day, 10-01 … 10-08
  [145, 181], // winter break, late January … end of February
  [215, 217], // Qingming
  [242, 246], // Labour Day
];

export const EXAMS: readonly { offset: number; exam: 'monthly' | 'midterm' | 'final' }[] = [
  { offset: 59, exam: 'monthly' },
  { offset: 73, exam: 'midterm' },
  { offset: 108, exam: 'monthly' },
  { offset: 136, exam: 'final' },
  { offset: 206, exam: 'monthly' },
  { offset: 234, exam: 'midterm' },
  { offset: 269, exam: 'monthly' },
  { offset: 297, exam: 'final' },
];

/** Screening weeks for the wellbeing instrument (third week of each term). */
export const SCREENING_OFFSETS: readonly number[] = [16, 198];

/** The end of the school year: graduations are recorded on this day. */
export const YEAR_END_OFFSET = 305;

/** The second term starts after the winter break. */
export const SECOND_TERM_OFFSET = 150;

export function isSchoolDay(start: Day, day: Day): boolean {
  const wd = isoWeekday(day);
  if (wd > 5) return false;
  const off = day - start;
  return !HOLIDAYS.some(([a, b]) => off >= a && off <= b);
}

/** The school days of week `w` (Monday `start + 7w`). */
export function schoolDaysOfWeek(start: Day, w: number): Day[] {
  const out: Day[] = [];
  for (let k = 0; k < 5; k++) {
    const d = start + 7 * w + k;
    if (isSchoolDay(start, d)) out.push(d);
  }
  return out;
}
