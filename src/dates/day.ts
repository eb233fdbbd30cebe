/**
 * A Day is a whole number of days since 1970-01-01. Every date in ews is one, so that
 * comparisons and windows are integer arithmetic on typed arrays, with no time zones inside.
 */
export type Day = number;

const MS_PER_DAY = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

// Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
export function dayFromCivil(year: number, month: number, dayOfMonth: number): Day {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + dayOfMonth - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

export function civilFromDay(day: Day): { year: number; month: number; day: number } {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d };
}

export function daysInMonth(year: number, month: number): number {
  return dayFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - dayFromCivil(year, month, 1);
}

/**
 * Parses `YYYY-MM-DD` or `YYYY/M/D` (one or two digits for month and day).
 * Returns NaN for anything else, including dates that do not exist (2026-02-30).
 */
export function parseDay(text: string): Day {
  const n = text.length;
  if (n < 8 || n > 10) return Number.NaN;
  let year = 0;
  for (let i = 0; i < 4; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    year = year * 10 + c;
  }
  const sep = text.charCodeAt(4);
  if (sep !== 45 /* - */ && sep !== 47 /* / */) return Number.NaN;
  let i = 5;
  let month = 0;
  let digits = 0;
  for (; i < n && text.charCodeAt(i) !== sep; i++, digits++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    month = month * 10 + c;
  }
  if (digits < 1 || digits > 2 || i >= n) return Number.NaN;
  i++;
  let dom = 0;
  digits = 0;
  for (; i < n; i++, digits++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    dom = dom * 10 + c;
  }
  if (digits < 1 || digits > 2) return Number.NaN;
  if (month < 1 || month > 12 || dom < 1 || dom > daysInMonth(year, month)) return Number.NaN;
  return dayFromCivil(year, month, dom);
}

export function formatDay(day: Day): string {
  const { year, month, day: d } = civilFromDay(day);
  return `${year}-${month < 10 ? '0' : ''}${month}-${d < 10 ? '0' : ''}${d}`;
}

/** ISO weekday: Monday 1 … Sunday 7. 1970-01-01 was a Thursday. */
export function isoWeekday(day: Day): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** Today's date where the schools are (Asia/Shanghai, UTC+8, no daylight saving). */
export function todayInChina(now: number = Date.now()): Day {
  return Math.floor((now + CHINA_OFFSET_MS) / MS_PER_DAY);
}
