import { formatDay, type Day } from '../dates/index.js';
import { buildFeatures, onRoll, type Detail, type FeatureMatrix, type Prepared } from '../features/index.js';
import type { District } from '../sources/index.js';
import { STATUS } from '../features/prepare.js';
import { scoreMatrix, type ScoringModel } from '../model/index.js';
import { ranksWithin } from './ranks.js';
import { circumstancesOf, reasonsFor, type Reason } from './reasons.js';
import { assignTiers, changeSince, type Change, type Tier, type TierOptions } from './tiers.js';
import { studentRecords, type StudentRecords } from './student-records.js';
import type { WeekBefore } from './week-before.js';

/** One student's row of the weekly run, with what each list needs. */
export interface ScoredStudent {
  student_id: string;
  school_id: string;
  class_id: string;
  head_teacher_id: string;
  grade_level: number;
  as_of: string;
  risk: number;
  rank_in_class: number;
  rank_in_school: number;
  tier: Tier;
  reasons: Reason[];
  /** Circumstances that hold (left behind, single parent…): context beside the reasons, never one of them. */
  circumstances: Reason[];
  change: Change;
  prev_tier: Tier | null;
  prev_risk: number | null;
  /** Unexcused share of recorded days, week by week, oldest first (8 weeks; null = no record). */
  weekly_unexcused: (number | null)[];
  /** Standing in class (z) at the last four exams, oldest first. */
  exam_standing: number[];
  /** What makes a student urgent (see isAcute); the screening for psychologists only. */
  acute: Acute;
  /** The year's family events and aid records, for the 一人一档 page (absent from rows scored before it was kept). */
  records?: StudentRecords;
  /** Canteen spending against boarders of the school, in SD (absent where the school has no canteen cards). */
  canteen_z?: number;
  /** A boarder (寄宿生): what some aid is for (absent where not, or not known). */
  boarding?: boolean;
}

export interface Acute {
  wellbeing_flagged: boolean;
  wellbeing_z: number;
  /** False where the student has no screening on record (absent from rows recorded before it was kept). */
  wellbeing_screened?: boolean;
  family_severe: Detail | null;
  /** School days absent without excuse running up to D (absent from rows recorded before it was kept). */
  absence_streak?: number;
}

/** A screening as psychologists read it: flagged or not with its z, or that there is none on record (never "not flagged, z=0"). */
export function screeningText(a: Acute, lang: 'zh-CN' | 'en' = 'zh-CN'): string {
  if (a.wellbeing_screened === false) return lang === 'en' ? 'no screening on record' : '无筛查记录';
  const z = `z=${a.wellbeing_z.toFixed(1)}`;
  if (lang === 'en') return `${a.wellbeing_flagged ? 'flagged' : 'not flagged'}, ${z}`;
  return `${a.wellbeing_flagged ? '预警' : '未预警'}，${z}`;
}

/** Three unexcused school days running: suspected dropping out (疑似辍学), as `ews acute` alerts on. */
export const ACUTE_STREAK_DAYS = 3;

/**
 * Urgent, whatever the risk: a flagged screening, a severe family event, or unexcused absence
 * ACUTE_STREAK_DAYS days running. The triage lists put these first, and say so.
 */
export function isAcute(a: Acute): boolean {
  return a.wellbeing_flagged || a.family_severe !== null || (a.absence_streak ?? 0) >= ACUTE_STREAK_DAYS;
}

/** What the score stage needs of one shard: features as of D and (unless last week's scores are recorded) a week before, and trends. */
export interface ShardFeatures {
  asOf: Day;
  now: FeatureMatrix;
  before: FeatureMatrix | null;
  /** Per row of `now`: unexcused share per week over 8 weeks, oldest first (null = no record). */
  weekly: (number | null)[][];
  /** Per row of `now`: class standing at the last four exams. */
  exams: number[][];
  /** Per row of `now`: the year's family events and aid records (absent from features handed on before they were kept). */
  records?: StudentRecords[];
}

// Who is on the roll on a day, worked out once per run and day rather than once per shard.
const rolls = new WeakMap<Prepared, Map<Day, Int32Array>>();
function rollOf(p: Prepared, day: Day): Int32Array {
  let byDay = rolls.get(p);
  if (!byDay) rolls.set(p, (byDay = new Map()));
  let ids = byDay.get(day);
  if (!ids) byDay.set(day, (ids = onRoll(p.district, day, p.exits)));
  return ids;
}

/**
 * Features for everyone on the roll as of D and D−7 (optionally only some schools). `before: false`
 * skips D−7 where last week's recorded scores stand in for it.
 */
export function shardFeatures(p: Prepared, asOf: Day, schools?: readonly number[], o: { before?: boolean } = {}): ShardFeatures {
  const d = p.district;
  const keep = new Uint8Array(d.roster.schools.length);
  for (const k of schools ?? []) keep[k] = 1;
  const pick = (ids: Int32Array) => (schools ? ids.filter((s) => keep[d.roster.school[s]] === 1) : ids.slice());
  const now = buildFeatures(p, asOf, pick(rollOf(p, asOf)));
  const before = o.before === false ? null : buildFeatures(p, asOf - 7, pick(rollOf(p, asOf - 7)));
  return {
    asOf,
    now,
    before,
    weekly: Array.from(now.students, (s) => weeklyUnexcused(p, s, asOf)),
    exams: Array.from(now.students, (s) => examStanding(p, s, asOf)),
    records: Array.from(now.students, (s) => studentRecords(p, s, asOf)),
  };
}

/**
 * Scores a shard, ranks students within class and school, sizes the tiers to capacity, and says
 * what changed since last week: against last week's recorded list where it is given (what head
 * teachers saw), else against the same model's view of the data a week earlier.
 */
export function scoreShard(
  f: ShardFeatures,
  model: ScoringModel,
  d: Pick<District, 'roster' | 'students'>,
  options: TierOptions = {},
  recorded?: WeekBefore,
): ScoredStudent[] {
  const now = rank(f.now, model, d.roster, options);
  const weekBefore = recorded ?? (f.before ? viewOf(rank(f.before, model, d.roster, options), d.roster.ids.length) : null);
  if (!weekBefore) throw new Error("scoreShard: neither last week's recorded scores nor its features were given");
  const classId = d.students.codes('class_id');
  const head = d.students.codes('head_teacher_id');
  const level = d.students.float64('grade_level');
  const boarding = d.students.int8('boarding');
  const out: ScoredStudent[] = [];
  for (let r = 0; r < now.m.rows; r++) {
    const s = now.m.students[r];
    const prevTier = weekBefore.tier[s];
    const prevRisk = prevTier === null ? null : weekBefore.risk[s];
    out.push({
      student_id: d.roster.ids[s],
      school_id: d.roster.schools[d.roster.school[s]],
      class_id: classId.dict[classId.data[s]],
      head_teacher_id: head.data[s] >= 0 ? head.dict[head.data[s]] : '',
      grade_level: level[s],
      as_of: formatDay(f.asOf),
      risk: now.risk[r],
      rank_in_class: now.inClass[r],
      rank_in_school: now.inSchool[r],
      tier: now.tiers[r],
      reasons: reasonsFor(model, now.m, r),
      circumstances: now.tiers[r] === 'low' ? [] : circumstancesOf(now.m, r), // lists show them for listed students only
      change: changeSince(now.tiers[r], prevTier, now.risk[r], prevRisk),
      prev_tier: prevTier,
      prev_risk: prevRisk,
      weekly_unexcused: f.weekly[r],
      exam_standing: f.exams[r],
      acute: {
        wellbeing_flagged: now.m.get(r, 'wellbeing_flagged') === 1,
        wellbeing_z: now.m.get(r, 'wellbeing_z'),
        wellbeing_screened: now.m.get(r, 'wellbeing_missing') !== 1,
        family_severe: now.m.get(r, 'family_recent_severe') === 1 ? (now.m.detail('family_recent_severe', r) ?? null) : null,
        absence_streak: now.m.get(r, 'att_unexcused_streak'),
      },
      ...(f.records?.[r] && Object.keys(f.records[r]).length > 0 ? { records: f.records[r] } : {}),
      ...(boarding[s] === 1 ? { boarding: true } : {}),
      ...(Number.isFinite(now.m.get(r, 'meal_spend_z')) && now.m.get(r, 'meal_missing') !== 1 ? { canteen_z: now.m.get(r, 'meal_spend_z') } : {}),
    });
  }
  return out;
}

/** A ranked week as last week's view, by roll index. */
function viewOf(r: ReturnType<typeof rank>, students: number): WeekBefore {
  const risk = new Float64Array(students).fill(Number.NaN);
  const tier: (Tier | null)[] = new Array(students).fill(null);
  r.m.students.forEach((s, row) => {
    risk[s] = r.risk[row];
    tier[s] = r.tiers[row];
  });
  return { risk, tier };
}

function rank(m: FeatureMatrix, model: ScoringModel, roster: District['roster'], options: TierOptions) {
  const { risk } = scoreMatrix(model, m);
  const inClass = ranksWithin(
    Int32Array.from(m.students, (s) => roster.classOf[s]),
    risk,
  );
  const inSchool = ranksWithin(
    Int32Array.from(m.students, (s) => roster.school[s]),
    risk,
  );
  return { m, risk, inClass, inSchool, tiers: assignTiers(inClass, risk, options) };
}

// Reused from one student to the next: a million students made two arrays each here.
const weekDays = new Float64Array(8);
const weekBad = new Float64Array(8);

function weeklyUnexcused(p: Prepared, s: number, asOf: Day): (number | null)[] {
  const a = p.attendance;
  weekDays.fill(0);
  weekBad.fill(0);
  for (let k = a.offsets[s + 1] - 1; k >= a.offsets[s]; k--) {
    const age = asOf - a.day[k];
    if (age < 0) continue;
    if (age >= 56) break;
    const w = 7 - Math.floor(age / 7);
    weekDays[w]++;
    if (a.status[k] === STATUS.unexcused) weekBad[w]++;
  }
  const out: (number | null)[] = new Array(8);
  for (let w = 0; w < 8; w++) out[w] = weekDays[w] > 0 ? weekBad[w] / weekDays[w] : null;
  return out;
}

function examStanding(p: Prepared, s: number, asOf: Day): number[] {
  const g = p.grades;
  // A student's rows run in day order, so each exam day's rows are together: its mean class z is
  // summed as they pass, and the last four days are kept.
  const last: number[] = [];
  let day = 0;
  let sum = 0;
  let n = 0;
  for (let k = g.by.offsets[s]; k < g.by.offsets[s + 1]; k++) {
    const i = g.by.order[k];
    if (g.day[i] > asOf) break;
    if (Number.isNaN(g.zClass[i])) continue;
    if (n > 0 && g.day[i] !== day) {
      if (last.push(Math.round((sum / n) * 100) / 100) > 4) last.shift();
      sum = 0;
      n = 0;
    }
    day = g.day[i];
    sum += g.zClass[i];
    n++;
  }
  if (n > 0 && last.push(Math.round((sum / n) * 100) / 100) > 4) last.shift();
  return last;
}
