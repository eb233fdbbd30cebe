import type { Day } from '../../dates/index.js';
import type { FeatureMatrix } from '../matrix.js';
import type { GradeRows } from '../prepare.js';

const FAIL_SHARE = 0.6;
const SINCE_CAP = 180;
const SLOPE_EXAMS = 6;

/**
 * What a student's whole record to D says beyond the latest exam: how long since a paper was
 * sat, the share never sat, the slope of class standing over recent exams, and the latest
 * standing against the student's own earlier average.
 */
function history(
  g: GradeRows,
  lo: number,
  end: number,
  asOf: Day,
  r: number,
  set: Record<'since' | 'missedShare' | 'slope' | 'own', (row: number, v: number) => void>,
): void {
  let missed = 0;
  let since = SINCE_CAP;
  // Exam days from the latest back: mean class z of the papers sat that day.
  const days: number[] = [];
  const means: number[] = [];
  let day = Number.NaN,
    sum = 0,
    n = 0;
  const close = () => {
    if (n > 0) days.push(day), means.push(sum / n);
  };
  for (let p = end - 1; p >= lo; p--) {
    const i = g.by.order[p];
    const sat = !Number.isNaN(g.frac[i]);
    if (!sat) missed++;
    else if (since === SINCE_CAP) since = Math.min(SINCE_CAP, asOf - g.day[i]);
    if (g.day[i] !== day) close(), (day = g.day[i]), (sum = 0), (n = 0);
    if (sat) (sum += g.zClass[i]), n++;
  }
  close();
  set.since(r, since);
  set.missedShare(r, missed / (end - lo));
  if (means.length >= 2) {
    let earlier = 0;
    for (let k = 1; k < means.length; k++) earlier += means[k];
    set.own(r, means[0] - earlier / (means.length - 1));
    const k = Math.min(SLOPE_EXAMS, means.length);
    let mx = 0,
      my = 0;
    for (let j = 0; j < k; j++) (mx += days[j]), (my += means[j]);
    mx /= k;
    my /= k;
    let sxy = 0,
      sxx = 0;
    for (let j = 0; j < k; j++) (sxy += (days[j] - mx) * (means[j] - my)), (sxx += (days[j] - mx) ** 2);
    if (sxx > 0) set.slope(r, (sxy / sxx) * 30);
  }
}

/**
 * Standing at the latest exam on or before D (z within class and year group), its change
 * since the previous exam and the term's first, failing subjects, papers missed.
 */
export function gradeFeatures(g: GradeRows, asOf: Day, m: FeatureMatrix, subject: { data: Int32Array; dict: string[] }, term: Int32Array): void {
  const set = {
    zc: m.column('grade_z_class'),
    zg: m.column('grade_z_grade'),
    prev: m.column('grade_change_prev'),
    termCh: m.column('grade_change_term'),
    fail: m.column('grade_failing_subjects'),
    missed: m.column('grade_exams_missed_8w'),
    missing: m.column('grade_missing'),
    since: m.column('grade_days_since_sat'),
    missedShare: m.column('grade_missed_share'),
    slope: m.column('grade_slope'),
    own: m.column('grade_vs_own'),
  };
  for (let r = 0; r < m.rows; r++) {
    const s = m.students[r];
    const lo = g.by.offsets[s];
    let end = g.by.offsets[s + 1];
    while (end > lo && g.day[g.by.order[end - 1]] > asOf) end--;
    if (end === lo) {
      set.missing(r, 1);
      set.since(r, SINCE_CAP);
      continue;
    }
    history(g, lo, end, asOf, r, set);
    let missed = 0;
    for (let p = end - 1; p >= lo && asOf - g.day[g.by.order[p]] < 56; p--) if (Number.isNaN(g.frac[g.by.order[p]])) missed++;
    set.missed(r, missed);

    const latest = examAt(g, subject.data, lo, end, g.day[g.by.order[end - 1]]);
    set.zc(r, latest.zClass);
    set.zg(r, latest.zGrade);
    set.fail(r, latest.failing);
    if (latest.start > lo) {
      const prev = examAt(g, subject.data, lo, latest.start, g.day[g.by.order[latest.start - 1]]);
      set.prev(r, latest.zClass - prev.zClass);
      // The subject that fell furthest, for the reason text.
      let worst = 0;
      let worstSubject = -1;
      for (const [subj, z] of latest.bySubject) {
        const before = prev.bySubject.get(subj);
        if (before !== undefined && z - before < worst) {
          worst = z - before;
          worstSubject = subj;
        }
      }
      if (worstSubject >= 0) m.setDetail('grade_change_prev', r, { zh: subject.dict[worstSubject], en: subject.dict[worstSubject] });
    }
    const termCode = term[g.by.order[end - 1]];
    let first = latest.start;
    while (first > lo && term[g.by.order[first - 1]] === termCode) first--;
    if (first < latest.start) {
      const opening = examAt(g, subject.data, lo, latest.start, g.day[g.by.order[first]]);
      set.termCh(r, latest.zClass - opening.zClass);
    }
  }
}

interface Exam {
  start: number; // first position of this exam's rows
  zClass: number;
  zGrade: number;
  failing: number;
  bySubject: Map<number, number>;
}

/** The papers a student sat on `day`, which ends at position `end` (exclusive) of their rows. */
function examAt(g: GradeRows, subjects: Int32Array, lo: number, end: number, day: number): Exam {
  let p = end;
  while (p > lo && g.day[g.by.order[p - 1]] > day) p--;
  const stop = p;
  let zc = 0,
    zg = 0,
    n = 0,
    failing = 0;
  const bySubject = new Map<number, number>();
  let start = stop;
  for (; start > lo && g.day[g.by.order[start - 1]] === day; start--) {
    const i = g.by.order[start - 1];
    if (Number.isNaN(g.frac[i])) continue;
    zc += g.zClass[i];
    zg += g.zGrade[i];
    n++;
    if (g.frac[i] < FAIL_SHARE) failing++;
    bySubject.set(subjects[i], g.zClass[i]);
  }
  return { start, zClass: n > 0 ? zc / n : 0, zGrade: n > 0 ? zg / n : 0, failing, bySubject };
}
