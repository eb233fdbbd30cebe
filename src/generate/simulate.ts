import { formatDay, type Day } from '../dates/index.js';
import { EXAMS, SCREENING_OFFSETS, SECOND_TERM_OFFSET, YEAR_END_OFFSET, schoolDaysOfWeek } from './calendar.js';
import type { Student } from './population.js';
import { Random, sigmoid } from '../util/random.js';

/** Where the simulated rows go, one CSV line each. */
export interface RowSink {
  attendance(line: string): void;
  grades(line: string): void;
  familyEvents(line: string): void;
  subsidies(line: string): void;
  wellbeing(line: string): void;
  mealCard(line: string): void;
  outcomes(line: string): void;
  /** What ews never sees: each student-week's dropout hazard, for benchmarks' true-risk ranking. */
  truth?(line: string): void;
  /** Follow-up steps the simulated school took (student_id,date,kind): not a contract file. */
  steps?(line: string): void;
}

/**
 * Planted follow-up (`interventions`): a struggling student (hardship above 1.2, which shows in their
 * attendance and grades) is helped with a weekly chance, once per kind. `tutoring` works — it takes
 * 0.7 off the hardship and 0.5 off where it settles — and `parents_called` does nothing: the known
 * answer an effect estimate must find. Who is helped depends on how they are doing, as in a school,
 * so a naive comparison of the helped with the rest is confounded.
 */
export const PLANTED_STEPS = { tutoring: { hardship: 0.7, settles: 0.5 }, parents_called: { hardship: 0, settles: 0 } } as const;

export interface SimulationOptions {
  seed: number;
  /**
   * `sparse`: a district that records less — no canteen cards, no screenings, about 7% of school
   * days unrecorded. The same students and the same hardship; only what the school sees differs.
   */
  profile?: 'full' | 'sparse';
  start: Day;
  weeks: number;
  /** Fortnightly Friday quizzes (周测) in 语文, 数学, 英语, besides the exams. */
  quizzes?: boolean;
  /** Plant follow-up steps with known effects (PLANTED_STEPS), written to `steps`. */
  interventions?: boolean;
}

/** Quiz weeks: every other week, on its Friday, from the second week. */
const QUIZ_WEEKDAY_OFFSET = 4;

/** Family events: how often each kind comes and how hard it hits the household. */
const EVENTS = [
  ['parent_serious_illness', 0.16, 0.55],
  ['parent_death', 0.03, 1.0],
  ['parent_divorce', 0.12, 0.3],
  ['parent_job_loss', 0.15, 0.45],
  ['parent_migrated', 0.12, 0.2],
  ['parent_incarcerated', 0.02, 0.6],
  ['disaster_damage', 0.05, 0.5],
  ['relocation', 0.08, 0.15],
  ['new_guardian', 0.05, 0.3],
  ['domestic_conflict', 0.12, 0.35],
  ['other', 0.1, 0.1],
] as const;
const EVENT_WEIGHTS = EVENTS.map((e) => e[1]);
const SOURCES = ['home_visit', 'civil_affairs', 'self_report', 'teacher', 'other'];

const JUNIOR_SUBJECTS = ['语文', '数学', '英语', '科学', '历史', '道德与法治'];
const SENIOR_SUBJECTS = ['语文', '数学', '英语', '物理', '化学', '历史'];

interface Grant {
  program: string;
  level: string;
  amount: string;
  from: Day;
  stopped: boolean;
}

/**
 * One student's school year, week by week. The hidden state is a slowly moving hardship:
 * family events and subsidy stops push it up; it thins attendance, lowers grades and
 * spending, raises screening scores, and drives a weekly hazard of starting to leave.
 * A student who starts to leave stops coming over one to four weeks, then is recorded
 * as dropped out. See data/README.md for the whole process.
 */
export function simulateStudent(st: Student, opt: SimulationOptions, out: RowSink): void {
  const r = new Random(opt.seed, 3, st.index);
  // Quizzes draw from their own stream, so a district with them is the same district plus quizzes.
  const rq = opt.quizzes ? new Random(opt.seed, 5, st.index) : null;
  const school = st.klass.school;
  const grade = st.klass.grade;
  let base = st.hardship0;
  let h = base;
  const grants = initialSubsidies(st, opt.start, r, out);
  let leaving = 0; // weeks into leaving; 0 = not leaving
  let leaveWeeks = 0;
  const subjects = school.senior ? SENIOR_SUBJECTS : JUNIOR_SUBJECTS;
  const term1 = `${yearOf(opt.start)}-${yearOf(opt.start) + 1}-1`;
  const term2 = `${yearOf(opt.start)}-${yearOf(opt.start) + 1}-2`;
  const sparse = opt.profile === 'sparse';
  // Unrecorded days of a sparse district draw on their own stream, so its hardship is the same.
  const rs = sparse ? new Random(opt.seed, 7, st.index) : null;
  const stageRisk = grade === 9 || grade >= 10 ? 0.35 : grade === 8 ? 0.2 : 0;
  // Follow-up draws on its own stream, so a district without it is the same district.
  const rh = opt.interventions ? new Random(opt.seed, 9, st.index) : null;
  const helped = new Set<string>();

  for (let w = 0; w < opt.weeks; w++) {
    const days = schoolDaysOfWeek(opt.start, w).filter((d) => d >= st.enrolled);
    const weekStart = opt.start + 7 * w;

    // Family events.
    if (r.chance(0.0035 * Math.exp(0.6 * h))) {
      const k = EVENTS.indexOf(r.pick(EVENTS, EVENT_WEIGHTS));
      const severity = r.pick([1, 2, 3], [0.45, 0.35, 0.2]);
      const shock = EVENTS[k][2] * (0.4 + 0.3 * severity);
      h += shock;
      base += 0.6 * shock;
      const day = weekStart + r.int(0, 6);
      if (day >= st.enrolled) {
        const note = r.chance(0.3) ? '示例备注：家访时了解到的情况（合成数据）' : '';
        out.familyEvents(`${st.id},${formatDay(day)},${EVENTS[k][0]},${severity},${r.pick(SOURCES)},${note}\n`);
      }
    }
    // Subsidy stops: money the household counted on is gone.
    for (const g of grants) {
      if (!g.stopped && weekStart > g.from + 7 && r.chance(0.0025)) {
        g.stopped = true;
        const day = weekStart + r.int(0, 4);
        out.subsidies(`${st.id},${g.program},granted,${g.level},${g.amount},${formatDay(g.from)},${formatDay(day - 1)}\n`);
        out.subsidies(`${st.id},${g.program},stopped,${g.level},,${formatDay(day)},\n`);
        h += 0.45;
        base += 0.3;
      }
    }
    h += 0.06 * (base - h) + r.normal(0, 0.07);
    if (rh && !leaving && days.length > 0 && h > 1.2 && rh.chance(0.12)) {
      const kind = rh.chance(0.5) ? 'tutoring' : 'parents_called';
      if (!helped.has(kind)) {
        helped.add(kind);
        h -= PLANTED_STEPS[kind].hardship;
        base -= PLANTED_STEPS[kind].settles;
        out.steps?.(`${st.id},${formatDay(days[0])},${kind}\n`);
      }
    }

    const hazard = sigmoid(-7.9 + 1.9 * h - 0.35 * st.ability + stageRisk);
    if (!leaving && days.length > 0) {
      if (r.chance(hazard)) {
        leaving = 1;
        leaveWeeks = r.int(1, 4);
      }
    }
    // The week's truth once its draw is made: leaving = this student has started to go.
    out.truth?.(`${st.id},${formatDay(weekStart)},${hazard.toPrecision(6)},${leaving > 0 ? 1 : 0}\n`);

    for (const day of days) {
      let status: string;
      const u = r.next();
      if (leaving) {
        const pGone = Math.min(0.95, 0.35 + 0.2 * leaving);
        status = u < pGone ? 'absent_unexcused' : u < pGone + 0.05 ? 'late' : 'present';
      } else {
        const pUnexcused = sigmoid(-4.9 + 1.35 * h);
        const pLate = sigmoid(-3.7 + 0.55 * h);
        if (u < pUnexcused) status = 'absent_unexcused';
        else if (u < pUnexcused + 0.015) status = 'absent_sick';
        else if (u < pUnexcused + 0.023) status = 'absent_excused';
        else if (u < pUnexcused + 0.023 + pLate) status = 'late';
        else if (u < pUnexcused + 0.027 + pLate) status = 'left_early';
        else status = 'present';
      }
      if (r.chance(0.004) || rs?.chance(0.07)) continue; // a day the school did not record: unknown, not present
      out.attendance(`${st.id},${formatDay(day)},${status}\n`);
      const absent = status.startsWith('absent');
      const offset = day - opt.start;
      for (const exam of EXAMS) {
        if (exam.offset !== offset) continue;
        const term = offset < SECOND_TERM_OFFSET ? term1 : term2;
        subjects.forEach((subject, k) => {
          const full = k < 3 ? (school.senior ? 150 : 120) : 100;
          const sat = !absent && !r.chance(0.01);
          const frac = Math.min(1, Math.max(0, 0.68 + 0.13 * st.ability - 0.055 * h + r.normal(0, 0.07)));
          const score = sat ? String(Math.round(frac * full)) : '';
          out.grades(`${st.id},${formatDay(day)},${term},${subject},${exam.exam},${score},${full}\n`);
        });
      }
      if (rq && offset % 14 === 7 + QUIZ_WEEKDAY_OFFSET) {
        const term = offset < SECOND_TERM_OFFSET ? term1 : term2;
        for (let k = 0; k < 3; k++) {
          const sat = !absent && !rq.chance(0.01);
          const frac = Math.min(1, Math.max(0, 0.7 + 0.13 * st.ability - 0.06 * h + rq.normal(0, 0.09)));
          const score = sat ? String(Math.round(frac * 100)) : '';
          out.grades(`${st.id},${formatDay(day)},${term},${subjects[k]},quiz,${score},100\n`);
        }
      }
      if (!sparse && school.screening && SCREENING_OFFSETS.includes(offset) && !absent) {
        const score = Math.round(Math.min(100, Math.max(0, 36 + 9 * h + r.normal(0, 9))));
        out.wellbeing(`${st.id},${formatDay(day)},MHT,${score},${score >= 65 ? 1 : 0}\n`);
      }
      if (!sparse && school.mealCards && st.boarding && !absent) {
        const amount = Math.max(0, r.normal(16.5 - 2.6 * h, 2.8));
        const meals = amount > 12 ? 3 : amount > 6 ? 2 : 1;
        out.mealCard(`${st.id},${formatDay(day)},${amount.toFixed(1)},${meals}\n`);
      }
    }

    if (leaving) {
      if (leaving >= leaveWeeks) {
        out.outcomes(`${st.id},${formatDay(weekStart + 4)},dropped_out\n`);
        writeGrants(st, grants, weekStart + 4, out);
        return;
      }
      leaving++;
    } else if (days.length > 0 && r.chance(0.0004)) {
      out.outcomes(`${st.id},${formatDay(weekStart + 4)},transferred\n`);
      writeGrants(st, grants, weekStart + 4, out);
      return;
    }
  }
  if ((grade === 9 || grade === 12) && opt.weeks * 7 > YEAR_END_OFFSET) {
    out.outcomes(`${st.id},${formatDay(opt.start + YEAR_END_OFFSET)},graduated\n`);
  }
  writeGrants(st, grants, null, out);
}

/**
 * The grants still running when the record ends, ending on the day the student left (or still in
 * force). Every student's aid is written, whoever leaves: a generator that wrote aid only for those
 * who stayed told a model who would leave (no aid row at all) — a leak from the future.
 */
function writeGrants(st: Student, grants: Grant[], endDay: Day | null, out: RowSink): void {
  for (const g of grants) {
    if (g.stopped || (endDay !== null && endDay < g.from)) continue;
    out.subsidies(`${st.id},${g.program},granted,${g.level},${g.amount},${formatDay(g.from)},${endDay === null ? '' : formatDay(endDay)}\n`);
  }
}

/** Aid at the start of the year: certified difficulty, meals, boarding, grants; some needy students missed. */
function initialSubsidies(st: Student, start: Day, r: Random, out: RowSink): Grant[] {
  const grants: Grant[] = [];
  const h = st.hardship0;
  const senior = st.klass.school.senior;
  const needy = h + r.normal(0, 0.35) > 0.55;
  const seen = needy && r.chance(0.7); // 30% of needy students are never certified: hidden difficulty
  if (st.klass.school.rural && !senior) grants.push({ program: 'nutrition_meal', level: '', amount: '400', from: start, stopped: false });
  if (h > 1.2 && st.rural && r.chance(0.6)) {
    grants.push({ program: 'poverty_registered', level: '', amount: '', from: start - r.int(365, 1500), stopped: false });
  }
  if (seen) {
    const level = h > 1.6 ? 3 : h > 1.0 ? 2 : 1;
    grants.push({ program: 'difficulty_certified', level: String(level), amount: '', from: start + r.int(0, 20), stopped: false });
    if (senior) grants.push({ program: 'national_grant', level: String(level), amount: String(500 + 500 * level), from: start + 30, stopped: false });
    else if (st.boarding) grants.push({ program: 'boarding_allowance', level: '', amount: '625', from: start + 30, stopped: false });
  } else if (h > 0.3 && r.chance(0.25)) {
    const day = start + r.int(5, 25);
    out.subsidies(`${st.id},difficulty_certified,applied,,,${formatDay(day)},${formatDay(day + 14)}\n`);
    out.subsidies(`${st.id},difficulty_certified,rejected,,,${formatDay(day + 15)},\n`);
  }
  return grants;
}

function yearOf(day: Day): number {
  return Number(formatDay(day).slice(0, 4));
}
