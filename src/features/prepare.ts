import { ATTENDANCE_STATUSES, type District } from '../sources/index.js';
import { groupByStudent, type ByStudent } from './by-student.js';
import { exitDays, type Exits } from './cohort.js';

export interface DayRows {
  readonly by: ByStudent;
  readonly day: Int32Array;
}

/** Per-student attendance: one status per day (the worst of its periods), days ascending. */
export interface AttendanceDays {
  readonly offsets: Int32Array;
  readonly day: Int32Array;
  readonly status: Uint8Array;
}

export interface GradeRows extends DayRows {
  /** Share of full score; NaN where the paper was not sat. */
  readonly frac: Float64Array;
  /** z of `frac` among the same class, day and subject; NaN where not sat. */
  readonly zClass: Float64Array;
  /** z of `frac` among the same school, grade level, day and subject. */
  readonly zGrade: Float64Array;
}

/**
 * What every as-of date reuses: rows grouped by student and day, grade z-scores. Nothing here
 * mixes rows of different days, so nothing here can carry a later day into an earlier one.
 */
export interface Prepared {
  readonly district: District;
  readonly exits: Exits;
  readonly attendance: AttendanceDays;
  readonly grades: GradeRows;
  readonly family: DayRows;
  readonly subsidies: DayRows;
  readonly wellbeing: DayRows | null;
  readonly meal: DayRows | null;
}

export function prepare(district: District): Prepared {
  const n = district.roster.size;
  const rows = (t: District['attendance'], dateCol = 'date'): DayRows => {
    const day = t.int32(dateCol);
    return { by: groupByStudent(t.int32('student_id'), day, n), day };
  };
  return {
    district,
    exits: exitDays(district),
    attendance: collapseDays(district, rows(district.attendance)),
    grades: gradeRows(district, rows(district.grades)),
    family: rows(district.familyEvents),
    subsidies: rows(district.subsidies, 'effective_from'),
    wellbeing: district.wellbeing ? rows(district.wellbeing) : null,
    meal: district.mealCard ? rows(district.mealCard) : null,
  };
}

// Statuses are listed best to worst, so the worst of a day's periods is the largest code.
function collapseDays(district: District, g: DayRows): AttendanceDays {
  const status = district.attendance.uint8('status');
  const n = district.roster.size;
  const offsets = new Int32Array(n + 1);
  const day = new Int32Array(g.by.order.length);
  const st = new Uint8Array(g.by.order.length);
  let k = 0;
  for (let s = 0; s < n; s++) {
    offsets[s] = k;
    for (let p = g.by.offsets[s]; p < g.by.offsets[s + 1]; p++) {
      const i = g.by.order[p];
      if (k > offsets[s] && day[k - 1] === g.day[i]) {
        if (status[i] > st[k - 1]) st[k - 1] = status[i];
      } else {
        day[k] = g.day[i];
        st[k] = status[i];
        k++;
      }
    }
  }
  offsets[n] = k;
  return { offsets, day: day.slice(0, k), status: st.slice(0, k) };
}

export const STATUS = {
  present: ATTENDANCE_STATUSES.indexOf('present'),
  late: ATTENDANCE_STATUSES.indexOf('late'),
  leftEarly: ATTENDANCE_STATUSES.indexOf('left_early'),
  excused: ATTENDANCE_STATUSES.indexOf('absent_excused'),
  sick: ATTENDANCE_STATUSES.indexOf('absent_sick'),
  unexcused: ATTENDANCE_STATUSES.indexOf('absent_unexcused'),
} as const;

function gradeRows(district: District, g: DayRows): GradeRows {
  const t = district.grades;
  const score = t.float64('score');
  const full = t.float64('full_score');
  const student = t.int32('student_id');
  const subject = t.codes('subject').data;
  const frac = new Float64Array(t.length);
  for (let i = 0; i < t.length; i++) frac[i] = score[i] / full[i];
  const roster = district.roster;
  // Group keys packed into one exact number (class, day, subject), not a string per row: at 12M
  // grade rows the strings were most of this stage.
  const day = g.day;
  let minDay = 0;
  let maxDay = 0;
  for (let i = 0; i < day.length; i++) {
    if (i === 0 || day[i] < minDay) minDay = day[i];
    if (i === 0 || day[i] > maxDay) maxDay = day[i];
  }
  const days = maxDay - minDay + 1;
  const subjects = t.codes('subject').dict.length + 1; // codes start at -1 (empty)
  const level = denseIds(district.students.float64('grade_level'));
  const classKey = (i: number) => (roster.classOf[student[i]] * days + (day[i] - minDay)) * subjects + (subject[i] + 1);
  const gradeKey = (i: number) => ((roster.school[student[i]] * level.count + level.ids[student[i]]) * days + (day[i] - minDay)) * subjects + (subject[i] + 1);
  return { ...g, frac, zClass: zWithin(frac, classKey), zGrade: zWithin(frac, gradeKey) };
}

/** Each distinct value (NaN included) numbered 0, 1, … in order of first appearance. */
function denseIds(values: Float64Array): { ids: Int32Array; count: number } {
  const seen = new Map<number, number>();
  const ids = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let id = seen.get(values[i]);
    if (id === undefined) seen.set(values[i], (id = seen.size));
    ids[i] = id;
  }
  return { ids, count: Math.max(seen.size, 1) };
}

/** z-score of each value within its group; 0 where the group is too small or flat to say. */
function zWithin(values: Float64Array, key: (i: number) => number): Float64Array {
  const ids = new Map<number, number>();
  const group = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const k = key(i);
    let id = ids.get(k);
    if (id === undefined) ids.set(k, (id = ids.size));
    group[i] = id;
  }
  const cnt = new Float64Array(ids.size);
  const sum = new Float64Array(ids.size);
  const sq = new Float64Array(ids.size);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    cnt[group[i]]++;
    sum[group[i]] += v;
    sq[group[i]] += v * v;
  }
  const z = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const c = cnt[group[i]];
    if (Number.isNaN(v)) {
      z[i] = Number.NaN;
      continue;
    }
    const mean = sum[group[i]] / c;
    const sd = Math.sqrt(Math.max(0, sq[group[i]] / c - mean * mean));
    z[i] = c >= 3 && sd > 1e-9 ? (v - mean) / sd : 0;
  }
  return z;
}
