import { asOfSeries, formatDay, type Day } from '../dates/index.js';
import { EwsError } from '../errors/index.js';
import { buildFeatures, FEATURE_NAMES, type Prepared } from '../features/index.js';
import { countAtMost } from '../util/sorted.js';
import { dropoutLabels } from './labels.js';

/** Examples stacked over several as-of dates: row i is student `student[i]` as of `asOf[i]`. */
export interface Examples {
  readonly width: number;
  readonly x: Float32Array;
  readonly y: Uint8Array;
  readonly asOf: Int32Array;
  readonly student: Int32Array;
  readonly length: number;
}

/**
 * Examples as of each date in `dates`, labelled over the horizon. The caller makes sure every
 * date's horizon has closed by the training date, so no label looks past it.
 */
export function buildExamples(p: Prepared, dates: readonly Day[], horizonDays: number, onDate?: (done: number) => void): Examples {
  return stack(
    dates.map((d, k) => {
      const m = buildFeatures(p, d);
      onDate?.(k + 1);
      return { m, y: dropoutLabels(p.district, m.students, d, horizonDays) };
    }),
  );
}

/** Who knew what when: the district as a kept history held it on a day (see `ews pull`). */
export type KnownOn = (d: Day) => Promise<Prepared>;

/**
 * Examples as buildExamples makes them, but each date's features from the district as it was known
 * that day — rows pulled later and later corrections left out — as a weekly run then saw it. Labels
 * come from what is known now: whether the student left within the horizon. Students are placed on
 * the current roll by id.
 */
export async function buildExamplesKnownOn(
  p: Prepared,
  knownOn: KnownOn,
  dates: readonly Day[],
  horizonDays: number,
  onDate?: (done: number) => void,
): Promise<Examples> {
  const parts = [];
  for (const [k, d] of dates.entries()) {
    const then = await knownOn(d);
    const m = buildFeatures(then, d);
    const ids = then.district.roster.ids;
    const index = p.district.roster.index;
    const students = Int32Array.from(m.students, (s) => {
      const now = index.get(ids[s]);
      if (now === undefined)
        throw new EwsError('EWS_NO_EXAMPLES', `a student on the roll as known on ${formatDay(d)} is not on it now: the history is damaged`);
      return now;
    });
    onDate?.(k + 1);
    parts.push({ m: { rows: m.rows, values: m.values, asOf: m.asOf, students }, y: dropoutLabels(p.district, students, d, horizonDays) });
  }
  return stack(parts);
}

function stack(parts: { m: { rows: number; values: Float32Array; asOf: Day; students: Int32Array }; y: Uint8Array }[]): Examples {
  const n = parts.reduce((a, q) => a + q.m.rows, 0);
  const width = FEATURE_NAMES.length;
  const x = new Float32Array(n * width);
  const y = new Uint8Array(n);
  const asOf = new Int32Array(n);
  const student = new Int32Array(n);
  let at = 0;
  for (const { m, y: labels } of parts) {
    x.set(m.values, at * width);
    y.set(labels, at);
    asOf.fill(m.asOf, at, at + m.rows);
    student.set(m.students, at);
    at += m.rows;
  }
  return { width, x, y, asOf, student, length: n };
}

export function subset(e: Examples, keep: (i: number) => boolean): Examples {
  const idx: number[] = [];
  for (let i = 0; i < e.length; i++) if (keep(i)) idx.push(i);
  const x = new Float32Array(idx.length * e.width);
  idx.forEach((i, k) => x.set(e.x.subarray(i * e.width, (i + 1) * e.width), k * e.width));
  return {
    width: e.width,
    x,
    y: Uint8Array.from(idx, (i) => e.y[i]),
    asOf: Int32Array.from(idx, (i) => e.asOf[i]),
    student: Int32Array.from(idx, (i) => e.student[i]),
    length: idx.length,
  };
}

/** Weekly example dates kept at most (the latest): two school years. */
export const MAX_DATES = 104;

export interface TemporalSplit {
  train: Day[];
  validation: Day[];
  test: Day[];
  /** True when there were too few dates to keep a horizon's gap between train and validation. */
  gapRelaxed: boolean;
}

/**
 * Weekly as-of dates ending `horizonDays` before `asOf`, split by time: the latest for the test,
 * the ones before for validation, the rest for training. Every training and validation label
 * closes before the first test date, so the test measures what a model trained then would do.
 */
export function temporalSplit(
  firstDataDay: Day,
  asOf: Day,
  horizonDays: number,
  maxDates = MAX_DATES,
  inSession: (d: Day) => boolean = () => true,
): TemporalSplit {
  const last = asOf - horizonDays;
  // Four weeks of history before the first example, and at most `maxDates` weeks back.
  const first = Math.max(firstDataDay + 28, last - (maxDates - 1) * 7);
  if (last < first) {
    throw new EwsError(
      'EWS_NO_EXAMPLES',
      `too little history: the first example date would be ${formatDay(first)}, after the last whose ${horizonDays}-day horizon closes by ${formatDay(asOf)} (${formatDay(last)})`,
    );
  }
  const all = asOfSeries(last - Math.floor((last - first) / 7) * 7, last, 7).filter(inSession);
  if (all.length < 6 || last < first) {
    throw new EwsError(
      'EWS_NO_EXAMPLES',
      `too little history: ${all.length} weekly as-of dates in session from ${formatDay(first)} to ${formatDay(last)}; need 6`,
    );
  }
  const nTest = Math.max(2, Math.round(all.length * 0.2));
  const test = all.slice(-nTest);
  const before = all.filter((d) => d + horizonDays <= test[0]);
  const pool = before.length >= 4 ? before : all.slice(0, -nTest);
  const nVal = Math.max(2, Math.round(pool.length * 0.25));
  const validation = pool.slice(-nVal);
  let train = pool.filter((d) => d + horizonDays <= validation[0]);
  let gapRelaxed = before.length < 4;
  if (train.length < 2) {
    train = pool.slice(0, -nVal);
    gapRelaxed = true;
  }
  if (train.length === 0) throw new EwsError('EWS_NO_EXAMPLES', 'too little history to train');
  return { train, validation, test, gapRelaxed };
}

/**
 * A test for as-of dates inside a holiday: where the district keeps attendance, a date is in
 * session when the week before it holds at least half the attendance rows of a usual week (the
 * median over weeks with any). Examples as of the winter break describe weeks nobody was at school:
 * four-week windows run empty, "days since present" counts the holiday, and a model trained or
 * judged on them learns the calendar. A district without attendance keeps every date.
 */
export function sessionFilter(attendanceDays: Int32Array): (d: Day) => boolean {
  if (attendanceDays.length === 0) return () => true;
  const perDay = new Map<number, number>();
  for (const d of attendanceDays) perDay.set(d, (perDay.get(d) ?? 0) + 1);
  const days = [...perDay.keys()].sort((a, b) => a - b);
  const prefix = new Float64Array(days.length + 1);
  days.forEach((d, i) => (prefix[i + 1] = prefix[i] + perDay.get(d)!));
  // Rows in (d − 7, d], by binary search over the days on record.
  const upTo = (d: number) => prefix[countAtMost(days, d)];
  const week = (d: number) => upTo(d) - upTo(d - 7);
  const weekly: number[] = [];
  for (let d = days[0] + 6; d <= days[days.length - 1]; d += 7) {
    const n = week(d);
    if (n > 0) weekly.push(n);
  }
  weekly.sort((a, b) => a - b);
  const usual = weekly.length > 0 ? weekly[Math.floor(weekly.length / 2)] : 0;
  return (d) => week(d) >= usual / 2;
}
