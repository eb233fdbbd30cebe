import type { Day } from '../../dates/index.js';
import { OUTCOMES, type District } from '../../sources/index.js';
import type { FeatureMatrix } from '../matrix.js';
import type { Prepared } from '../prepare.js';

const DROPPED = OUTCOMES.indexOf('dropped_out');

/**
 * The school's dropout rate over the year before D: dropouts dated in (D−365, D] over the
 * school's students on file. It lets a model give a school whose rate differs from the
 * district's its own intercept, from outcomes already known at D.
 */
export function schoolDropoutRate(d: District, asOf: Day): Float64Array {
  const schools = d.roster.schools.length;
  const size = new Float64Array(schools);
  const drops = new Float64Array(schools);
  for (let s = 0; s < d.roster.size; s++) size[d.roster.school[s]]++;
  const o = d.outcomes;
  if (o) {
    const st = o.int32('student_id');
    const day = o.int32('date');
    const kind = o.uint8('outcome');
    for (let i = 0; i < o.length; i++) {
      if (kind[i] === DROPPED && day[i] <= asOf && day[i] > asOf - 365) drops[d.roster.school[st[i]]]++;
    }
  }
  return Float64Array.from(size, (n, k) => drops[k] / Math.max(1, n));
}

const YEAR = 365;
/** Past this, a class is well into its term; capped so that later dates read like those trained on. */
const TERM_CAP = 120;
/** A yearly rate from less than this much history is mostly noise. */
const MIN_COVERED = 90;

export function contextFeatures(p: Prepared, asOf: Day, m: FeatureMatrix): void {
  const d = p.district;
  const rate = schoolDropoutRate(d, asOf);
  // Dropouts accumulate through a year on record: as a yearly rate, March reads like December.
  const covered = Math.min(YEAR, Math.max(MIN_COVERED, asOf - firstActivity(p) + 1));
  const set = m.column('school_dropout_rate');
  for (let r = 0; r < m.rows; r++) set(r, (rate[d.roster.school[m.students[r]]] * YEAR) / covered);
  const first = classFirstDays(p, asOf, m);
  const termDay = m.column('class_days_in');
  for (let r = 0; r < m.rows; r++) {
    const f = first.get(d.roster.classOf[m.students[r]]);
    termDay(r, f === undefined ? TERM_CAP : Math.min(TERM_CAP, asOf - f));
  }
}

const FIRST = new WeakMap<Prepared, number>();

/** The district's first attendance or exam day (any date: only ever compared with D). */
function firstActivity(p: Prepared): number {
  let first = FIRST.get(p);
  if (first !== undefined) return first;
  first = Number.POSITIVE_INFINITY;
  for (const rows of [p.attendance.day, p.grades.day]) for (const day of rows) if (day < first) first = day;
  FIRST.set(p, first);
  return first;
}

/**
 * The first day within the year before D on which the class has any attendance or exam on
 * record: when its term (or course) began. Leaving clusters early in a term.
 */
function classFirstDays(p: Prepared, asOf: Day, m: FeatureMatrix): Map<number, number> {
  const classOf = p.district.roster.classOf;
  const first = new Map<number, number>();
  const see = (s: number, day: number) => {
    if (day > asOf || day <= asOf - YEAR) return;
    const c = classOf[s];
    const f = first.get(c);
    if (f === undefined || day < f) first.set(c, day);
  };
  for (let r = 0; r < m.rows; r++) {
    const s = m.students[r];
    // Each student's days are ascending: the first inside the year is enough.
    for (let k = p.attendance.offsets[s]; k < p.attendance.offsets[s + 1]; k++) {
      if (p.attendance.day[k] > asOf - YEAR) {
        see(s, p.attendance.day[k]);
        break;
      }
    }
    const g = p.grades;
    for (let k = g.by.offsets[s]; k < g.by.offsets[s + 1]; k++) {
      const day = g.day[g.by.order[k]];
      if (day > asOf - YEAR) {
        see(s, day);
        break;
      }
    }
  }
  return first;
}
