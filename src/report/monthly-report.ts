import { type Day, formatDay, parseDay } from '../dates/index.js';
import { STATUS, type Prepared } from '../features/prepare.js';
import { NO_DAY, OUTCOMES, type Table } from '../sources/index.js';

/** Where each school sits in the 控辍保学 chain, from schools.csv (optional). */
export interface SchoolPlace {
  name: string;
  township: string;
  county: string;
}

/** Case counts per school from the system of record (absent where the report runs without one). */
export interface CaseCounts {
  open: number;
  overdue: number;
}

export interface ReportRow {
  level: 'school' | 'township' | 'total';
  school_id: string;
  school_name: string;
  township: string;
  /** The county schools.csv places the school in ('' where unknown). */
  county?: string;
  /** On the roll on the as-of date. */
  enrolled: number;
  /** On the roll on the first day of the month. */
  enrolled_month_start: number;
  /** On the roll on the first day of the school year (1 September). */
  enrolled_year_start: number;
  /** dropped_out outcomes dated in the month up to D. */
  dropped_month: number;
  /** Students on the year's starting roll who are gone on D by dropping out since (not back, not transferred). */
  dropped_year: number;
  transferred_month: number;
  returned_month: number;
  /** Transferred out up to D with no confirmation yet that the receiving school has them. */
  transfers_unconfirmed: number;
  /** …of which the transfer is over TRANSFER_CONFIRM_DAYS old: to be found, like a suspected dropout. */
  transfers_overdue: number;
  /** On the roll, absent without excuse on each of the last SUSPECT_DAYS recorded school days up to D. */
  suspected: number;
  open_cases: number | null;
  overdue_cases: number | null;
  /** (enrolled at the year's start − dropouts since) / enrolled at the year's start; null with nobody enrolled. */
  retention: number | null;
}

/** 疑似辍学: three recorded school days running absent without excuse, as the same-day check alerts on. */
export const SUSPECT_DAYS = 3;
/** A transfer the receiving school has not confirmed this many days on is followed up as a possible dropout. */
export const TRANSFER_CONFIRM_DAYS = 30;

/**
 * Students transferred out by D with no `transfer_confirmed` after it, and the day of the transfer (a
 * later `returned` also settles it: the student came back). By roll index.
 */
export function unconfirmedTransfers(outcomes: Table | null, asOf: Day): Map<number, Day> {
  const out = new Map<number, Day>();
  if (!outcomes) return out;
  const sid = outcomes.int32('student_id');
  const date = outcomes.int32('date');
  const kind = outcomes.uint8('outcome');
  const order = Array.from({ length: outcomes.length }, (_, i) => i).sort((a, b) => date[a] - date[b] || RANK(kind[a]) - RANK(kind[b]));
  for (const i of order) {
    if (date[i] > asOf) break;
    if (kind[i] === KIND.transferred) out.set(sid[i], date[i]);
    else if (kind[i] === KIND.transfer_confirmed || kind[i] === KIND.returned) out.delete(sid[i]);
  }
  return out;
}

const KIND = Object.fromEntries(OUTCOMES.map((o, i) => [o, i])) as Record<(typeof OUTCOMES)[number], number>;
const LEAVES = new Set([KIND.dropped_out, KIND.transferred, KIND.graduated]);

/** The first day of the school year D falls in: 1 September (a date before September belongs to the year begun the autumn before). */
export function schoolYearStart(asOf: Day): Day {
  const [y, m] = formatDay(asOf).split('-').map(Number);
  return parseDay(`${m >= 9 ? y : y - 1}-09-01`);
}

export function monthStart(asOf: Day): Day {
  return parseDay(`${formatDay(asOf).slice(0, 8)}01`);
}

/** Within a day, leavings come first and a return or a confirmation last: the file's row order never decides. */
const RANK = (kind: number) => (kind === KIND.returned ? 2 : kind === KIND.transfer_confirmed ? 1 : 0);

/** Each student's outcome rows in date order (a day's rows by RANK), by roll index. */
function outcomesByStudent(outcomes: Table | null, n: number): Int32Array[] {
  const out: Int32Array[] = new Array(n);
  if (!outcomes) return out;
  const sid = outcomes.int32('student_id');
  const date = outcomes.int32('date');
  const kind = outcomes.uint8('outcome');
  const lists: number[][] = new Array(n);
  for (let i = 0; i < outcomes.length; i++) (lists[sid[i]] ??= []).push(i);
  for (let s = 0; s < n; s++) if (lists[s]) out[s] = Int32Array.from(lists[s].sort((a, b) => date[a] - date[b] || RANK(kind[a]) - RANK(kind[b])));
  return out;
}

/**
 * Where each student stands on `day`: on the roll (enrolled by then, where known, and not gone — their
 * last leaving up to the day, dropped out, transferred or graduated, was not followed by a return;
 * 休学 keeps the 学籍), and if gone, how (the outcome's kind) and since when.
 */
function standingOn(students: Table, outcomes: Table | null, byStudent: Int32Array[], day: Day): { on: Uint8Array; goneBy: Int16Array; goneOn: Int32Array } {
  const enrolled = students.int32('enrolled_on');
  const on = new Uint8Array(students.length);
  const goneBy = new Int16Array(students.length).fill(-1);
  const goneOn = new Int32Array(students.length);
  const date = outcomes?.int32('date');
  const kind = outcomes?.uint8('outcome');
  for (let s = 0; s < students.length; s++) {
    if (enrolled[s] !== NO_DAY && enrolled[s] > day) continue;
    let by = -1;
    let since = 0;
    for (const i of byStudent[s] ?? []) {
      if (date![i] > day) break;
      if (LEAVES.has(kind![i])) {
        by = kind![i];
        since = date![i];
      } else if (kind![i] === KIND.returned) by = -1;
    }
    if (by < 0) on[s] = 1;
    goneBy[s] = by;
    goneOn[s] = since;
  }
  return { on, goneBy, goneOn };
}

/** Unexcused school days running up to D (recorded days only). */
function streakUpTo(p: Prepared, s: number, asOf: Day): number {
  const a = p.attendance;
  let n = 0;
  for (let k = a.offsets[s + 1] - 1; k >= a.offsets[s]; k--) {
    if (a.day[k] > asOf) continue;
    if (a.status[k] !== STATUS.unexcused) break;
    n++;
  }
  return n;
}

/**
 * The monthly 控辍保学 report as of D: per school, then per township where schools.csv places them,
 * then the whole district. How each figure is counted is in README ("The monthly report").
 */
export function monthlyReport(p: Prepared, asOf: Day, places: ReadonlyMap<string, SchoolPlace>, cases: ReadonlyMap<string, CaseCounts> | null): ReportRow[] {
  const d = p.district;
  const o = d.outcomes;
  const n = d.roster.size;
  const byStudent = outcomesByStudent(o, n);
  const month = monthStart(asOf);
  const year = schoolYearStart(asOf);
  const standing = standingOn(d.students, o, byStudent, asOf);
  const now = standing.on;
  const atMonth = standingOn(d.students, o, byStudent, month).on;
  const atYear = standingOn(d.students, o, byStudent, year).on;
  const empty = (school: string): ReportRow => {
    const place = places.get(school);
    return {
      level: 'school',
      school_id: school,
      school_name: place?.name ?? '',
      township: place?.township ?? '',
      county: place?.county ?? '',
      enrolled: 0,
      enrolled_month_start: 0,
      enrolled_year_start: 0,
      dropped_month: 0,
      dropped_year: 0,
      transferred_month: 0,
      returned_month: 0,
      transfers_unconfirmed: 0,
      transfers_overdue: 0,
      suspected: 0,
      open_cases: cases ? (cases.get(school)?.open ?? 0) : null,
      overdue_cases: cases ? (cases.get(school)?.overdue ?? 0) : null,
      retention: null,
    };
  };
  const rows = new Map<string, ReportRow>();
  for (const school of d.roster.schools) rows.set(school, empty(school));
  // A school schools.csv names with nobody on the roll still has its row (and counts in its township).
  for (const school of places.keys()) if (!rows.has(school)) rows.set(school, empty(school));
  for (let s = 0; s < n; s++) {
    const r = rows.get(d.roster.schools[d.roster.school[s]])!;
    r.enrolled += now[s];
    r.enrolled_month_start += atMonth[s];
    r.enrolled_year_start += atYear[s];
    if (now[s] && streakUpTo(p, s, asOf) >= SUSPECT_DAYS) r.suspected++;
    // Lost this year: on the year's starting roll, and gone on D by dropping out since (not by a transfer,
    // not one who came back; a student enrolled later is not in the base, so not counted against it).
    if (atYear[s] && standing.goneBy[s] === KIND.dropped_out && standing.goneOn[s] >= year) r.dropped_year++;
  }
  if (o) {
    const sid = o.int32('student_id');
    const date = o.int32('date');
    const kind = o.uint8('outcome');
    for (let i = 0; i < o.length; i++) {
      if (date[i] > asOf) continue;
      const r = rows.get(d.roster.schools[d.roster.school[sid[i]]])!;
      const inMonth = date[i] >= month;
      if (kind[i] === KIND.dropped_out) {
        if (inMonth) r.dropped_month++;
      } else if (kind[i] === KIND.transferred && inMonth) r.transferred_month++;
      else if (kind[i] === KIND.returned && inMonth) r.returned_month++;
    }
  }
  for (const [s, day] of unconfirmedTransfers(o, asOf)) {
    const r = rows.get(d.roster.schools[d.roster.school[s]])!;
    r.transfers_unconfirmed++;
    if (asOf - day > TRANSFER_CONFIRM_DAYS) r.transfers_overdue++;
  }
  const schoolRows = [...rows.values()].sort((a, b) => a.township.localeCompare(b.township) || a.school_id.localeCompare(b.school_id));
  const sum = (level: ReportRow['level'], township: string, parts: readonly ReportRow[]): ReportRow => {
    const r: ReportRow = { ...empty(''), level, township, county: parts[0]?.county ?? '' };
    for (const x of parts) {
      for (const k of [
        'enrolled',
        'enrolled_month_start',
        'enrolled_year_start',
        'dropped_month',
        'dropped_year',
        'transferred_month',
        'returned_month',
        'transfers_unconfirmed',
        'transfers_overdue',
        'suspected',
      ] as const)
        r[k] += x[k];
      if (cases) {
        r.open_cases! += x.open_cases ?? 0;
        r.overdue_cases! += x.overdue_cases ?? 0;
      }
    }
    return r;
  };
  const out: ReportRow[] = [];
  const townships = [...new Set(schoolRows.map((r) => r.township))];
  for (const t of townships) {
    const mine = schoolRows.filter((r) => r.township === t);
    out.push(...mine);
    if (t) out.push(sum('township', t, mine));
  }
  out.push(sum('total', '', schoolRows));
  for (const r of out) r.retention = r.enrolled_year_start > 0 ? (r.enrolled_year_start - r.dropped_year) / r.enrolled_year_start : null;
  return out;
}
