/**
 * Every feature, registered once: its name, what it measures, its unit, and how it reads as
 * a reason. The model, the reason texts and the docs all read this list, so a feature cannot
 * exist in one place and be missing in another.
 */
export type FeatureGroup = 'attendance' | 'grades' | 'family' | 'aid' | 'wellbeing' | 'canteen' | 'roster' | 'context';

/** Who may see a reason drawn from this feature. */
export type ReasonAudience = 'all' | 'psychologist' | 'never';

export interface FeatureDef {
  readonly name: string;
  readonly group: FeatureGroup;
  readonly unit: string;
  readonly description: string;
  /**
   * The reason, in zh-CN and English, for a student's value (and detail, e.g. a subject), and
   * `when` the value makes that sentence true: a reason is never shown that the data contradicts.
   */
  readonly reason?: {
    zh: (v: number, detail?: string) => string;
    en: (v: number, detail?: string) => string;
    when: (v: number) => boolean;
  };
  readonly audience: ReasonAudience;
  /**
   * Who a student is rather than what is happening to them (left behind, single parent, orphan,
   * boarder, disability, hukou): never a reason a student is on a list; those with reason text are
   * shown beside the reasons as context. Left out of the model under the default feature policy.
   */
  readonly circumstance?: boolean;
}

const fmt = (v: number, digits = 0) => (Math.round(v * 10 ** digits) / 10 ** digits).toFixed(digits);
const pct = (v: number) => `${Math.round(v * 100)}%`;

type ReasonText = Omit<NonNullable<FeatureDef['reason']>, 'when'> & { when?: (v: number) => boolean };

const positive = (v: number) => v > 0;

function def(name: string, group: FeatureGroup, unit: string, description: string, reason?: ReasonText, audience: ReasonAudience = 'all'): FeatureDef {
  return {
    name,
    group,
    unit,
    description,
    reason: reason ? { ...reason, when: reason.when ?? positive } : undefined,
    audience: reason ? audience : 'never',
  };
}

const circumstance = (f: FeatureDef): FeatureDef => ({ ...f, circumstance: true });

export const FEATURES: readonly FeatureDef[] = [
  // Attendance: shares are of the days on record in the window.
  def('att_unexcused_rate_2w', 'attendance', 'share of recorded days', 'unexcused absences in the last 2 weeks', {
    when: (v) => v >= 0.1,
    zh: (v) => `近2周无故缺勤占${pct(v)}`,
    en: (v) => `absent without excuse on ${pct(v)} of days in the last 2 weeks`,
  }),
  def('att_unexcused_rate_4w', 'attendance', 'share of recorded days', 'unexcused absences in the last 4 weeks'),
  def('att_unexcused_rate_8w', 'attendance', 'share of recorded days', 'unexcused absences in the last 8 weeks', {
    when: (v) => v >= 0.1,
    zh: (v) => `近8周无故缺勤占${pct(v)}`,
    en: (v) => `absent without excuse on ${pct(v)} of days in the last 8 weeks`,
  }),
  def('att_unexcused_days_4w', 'attendance', 'days', 'days absent without excuse in the last 4 weeks', {
    zh: (v) => `近4周无故缺勤${fmt(v)}天`,
    en: (v) => `${fmt(v)} days absent without excuse in the last 4 weeks`,
  }),
  def('att_unexcused_trend', 'attendance', 'change in share', 'unexcused share, last 4 weeks minus the 4 weeks before', {
    when: (v) => v >= 0.05,
    zh: (v) => `无故缺勤比前4周增加${pct(v)}`,
    en: (v) => `unexcused absence up ${pct(v)} on the previous 4 weeks`,
  }),
  def('att_unexcused_streak', 'attendance', 'school days', 'consecutive recorded days absent without excuse, up to the as-of date', {
    zh: (v) => `已连续${fmt(v)}天无故缺勤`,
    en: (v) => `absent without excuse ${fmt(v)} school days in a row`,
  }),
  def('att_days_since_present', 'attendance', 'days (capped at 90)', 'days since the student was last recorded present', {
    when: (v) => v >= 5,
    zh: (v) => `已${fmt(v)}天未到校`,
    en: (v) => `not at school for ${fmt(v)} days`,
  }),
  def('att_sick_rate_4w', 'attendance', 'share of recorded days', 'sick days in the last 4 weeks', {
    when: (v) => v >= 0.15,
    zh: (v) => `近4周病假占${pct(v)}`,
    en: (v) => `off sick on ${pct(v)} of days in the last 4 weeks`,
  }),
  def('att_late_rate_4w', 'attendance', 'share of recorded days', 'late or left early in the last 4 weeks', {
    when: (v) => v >= 0.15,
    zh: (v) => `近4周迟到早退占${pct(v)}`,
    en: (v) => `late or left early on ${pct(v)} of days in the last 4 weeks`,
  }),
  def('att_coverage_4w', 'attendance', 'share', 'days on record in the last 4 weeks over the most any classmate has (missing records)'),
  def('att_missing', 'attendance', '0/1', 'no attendance on record in the last 4 weeks (the other attendance features then read 0)'),
  def('att_unexcused_recent', 'attendance', 'weighted share', 'unexcused share over 90 days, each day weighted by recency (halving every 7 days)'),
  def('att_unexcused_rate_long', 'attendance', 'share of recorded days', 'unexcused absences over the last 120 days (the student’s usual level)'),
  def('att_late_rate_long', 'attendance', 'share of recorded days', 'late or left early over the last 120 days'),
  def('att_unexcused_longest_8w', 'attendance', 'school days', 'longest run of unexcused days in the last 8 weeks', {
    when: (v) => v >= 3,
    zh: (v) => `近8周曾连续${fmt(v)}天无故缺勤`,
    en: (v) => `absent without excuse ${fmt(v)} days running in the last 8 weeks`,
  }),

  // Grades: z-scores of the share of full score, within class or grade, per exam and subject.
  def('grade_z_class', 'grades', 'standard deviations', 'standing within the class at the latest exam (mean over subjects)', {
    when: (v) => v <= -0.5,
    zh: (v) => `最近一次考试成绩低于班级平均${fmt(-v, 1)}个标准差`,
    en: (v) => `latest exam ${fmt(-v, 1)} SD below the class average`,
  }),
  def('grade_z_grade', 'grades', 'standard deviations', 'standing within the school year group at the latest exam'),
  def('grade_change_prev', 'grades', 'standard deviations', 'change in class standing since the previous exam (worst subject as detail)', {
    when: (v) => v <= -0.3,
    zh: (v, s) => `${s ?? '各科'}成绩较上次下降${fmt(-v, 1)}个标准差`,
    en: (v, s) => `${s ?? 'grades'} down ${fmt(-v, 1)} SD since the previous exam`,
  }),
  def('grade_change_term', 'grades', 'standard deviations', "change in class standing since the term's first exam", {
    when: (v) => v <= -0.3,
    zh: (v) => `本学期成绩下降${fmt(-v, 1)}个标准差`,
    en: (v) => `grades down ${fmt(-v, 1)} SD since the start of term`,
  }),
  def('grade_failing_subjects', 'grades', 'subjects', 'subjects below 60% of full score at the latest exam', {
    zh: (v) => `最近一次考试${fmt(v)}科不及格`,
    en: (v) => `failed ${fmt(v)} subjects at the latest exam`,
  }),
  def('grade_exams_missed_8w', 'grades', 'papers', 'exam papers not sat in the last 8 weeks', {
    zh: (v) => `近8周缺考${fmt(v)}科次`,
    en: (v) => `missed ${fmt(v)} exam papers in the last 8 weeks`,
  }),
  def('grade_missing', 'grades', '0/1', 'no exam on record yet'),
  def('grade_days_since_sat', 'grades', 'days (capped at 180)', 'days since the student last sat a paper (180 when never)', {
    when: (v) => v >= 45 && v < 180,
    zh: (v) => `已${fmt(v)}天未参加考试或提交作业`,
    en: (v) => `no paper sat or handed in for ${fmt(v)} days`,
  }),
  def('grade_missed_share', 'grades', 'share of papers', 'papers not sat over all papers on record so far'),
  def('grade_slope', 'grades', 'SD per 30 days', 'trend of class standing over the last six exams (least squares)', {
    when: (v) => v <= -0.2,
    zh: (v) => `近几次考试成绩持续下滑（每月${fmt(-v, 1)}个标准差）`,
    en: (v) => `grades sliding over recent exams (${fmt(-v, 1)} SD a month)`,
  }),
  def('grade_vs_own', 'grades', 'standard deviations', "latest class standing against the student's own earlier average"),

  // Family events: kind × severity, fading with a half-life of 90 days.
  def('family_event_load', 'family', 'weighted events', 'family events weighted by kind and severity, halving every 90 days', {
    when: (v) => v >= 0.1,
    zh: (_v, e) => `家庭变故：${e ?? '近期有变故'}`,
    en: (_v, e) => `family change: ${e ?? 'recent events'}`,
  }),
  def('family_recent_severe', 'family', '0/1', 'a severe family event (severity 3, or a death) in the last 4 weeks', {
    zh: (_v, e) => `近4周发生重大家庭变故${e ? `：${e}` : ''}`,
    en: (_v, e) => `a severe family event in the last 4 weeks${e ? `: ${e}` : ''}`,
  }),
  def('family_events_365', 'family', 'events', 'family events in the last year'),
  def('family_days_since', 'family', 'days (capped at 365)', 'days since the latest family event (365 when none)'),

  // Aid: what is in force on the as-of date.
  def('aid_active_programs', 'aid', 'programmes', 'aid programmes granted and in force'),
  def('aid_difficulty_level', 'aid', '0-3', 'certified family economic difficulty level (0 = none)', {
    when: (v) => v >= 1,
    zh: (v) => `家庭经济困难认定：${['', '一般困难', '困难', '特别困难'][Math.round(v)] ?? ''}`,
    en: (v) => `certified economic difficulty, level ${fmt(v)}`,
  }),
  def('aid_poverty_status', 'aid', '0/1', 'registered poverty, minimum living allowance or extreme poverty in force', {
    zh: () => '建档立卡/低保/特困家庭',
    en: () => 'registered poor, minimum-living or extreme-poverty household',
  }),
  def('aid_stopped_8w', 'aid', '0/1', 'an aid programme stopped in the last 8 weeks', {
    zh: (_v, p) => `${p ?? '资助'}已停发`,
    en: (_v, p) => `${p ?? 'aid'} stopped`,
  }),
  def('aid_rejected_365', 'aid', '0/1', 'an aid application rejected in the last year', {
    zh: () => '资助申请未获批准',
    en: () => 'an aid application was rejected',
  }),

  // Wellbeing screenings: psychologists only.
  def(
    'wellbeing_flagged',
    'wellbeing',
    '0/1',
    "the latest screening passed the instrument's cut-off",
    {
      zh: () => '心理筛查预警',
      en: () => 'flagged by the wellbeing screening',
    },
    'psychologist',
  ),
  def(
    'wellbeing_z',
    'wellbeing',
    'standard deviations',
    'latest screening score against everyone screened with the same instrument',
    {
      when: (v) => v >= 1,
      zh: (v) => `心理筛查得分高于平均${fmt(v, 1)}个标准差`,
      en: (v) => `screening score ${fmt(v, 1)} SD above average`,
    },
    'psychologist',
  ),
  def('wellbeing_missing', 'wellbeing', '0/1', 'no screening on record'),

  // Canteen card: the hidden-difficulty signal.
  def('meal_spend_z', 'canteen', 'standard deviations', 'daily canteen spending over 4 weeks against boarders of the same school', {
    when: (v) => v <= -0.5,
    zh: (v) => `食堂消费低于同校平均${fmt(-v, 1)}个标准差`,
    en: (v) => `canteen spending ${fmt(-v, 1)} SD below the school average`,
  }),
  def('meal_spend_change', 'canteen', 'relative change', 'daily canteen spending, last 4 weeks against the 4 before', {
    when: (v) => v <= -0.15,
    zh: (v) => `食堂消费较前4周下降${pct(-v)}`,
    en: (v) => `canteen spending down ${pct(-v)} on the previous 4 weeks`,
  }),
  def('meal_missing', 'canteen', '0/1', 'no canteen record in the last 4 weeks'),
  def('hidden_difficulty', 'canteen', '0/1', 'spending far below peers (z < −1) with no aid in force', {
    zh: () => '消费明显偏低但未获资助（疑似隐形困难）',
    en: () => 'spending far below peers with no aid (possible hidden difficulty)',
  }),

  // Roster.
  // Circumstances: context for the head teacher, never a reason (a label is not a cause anyone can act on).
  circumstance(def('boarding', 'roster', '0/1', 'boarder', { zh: () => '寄宿生', en: () => 'boarder' })),
  circumstance(def('left_behind', 'roster', '0/1', 'left-behind child (parents work away)', { zh: () => '留守儿童', en: () => 'left-behind child' })),
  circumstance(def('single_parent', 'roster', '0/1', 'single-parent family', { zh: () => '单亲家庭', en: () => 'single-parent family' })),
  circumstance(
    def('orphan', 'roster', '0/1', 'orphan or de-facto unsupported child', { zh: () => '孤儿或事实无人抚养', en: () => 'orphan or without carers' }),
  ),
  // Circumstances too, but sensitive: never shown, not even as context (they have no reason text).
  circumstance(def('disability', 'roster', '0/1', 'disability (sensitive: never shown as a reason)')),
  circumstance(def('rural_hukou', 'roster', '0/1', 'rural household registration (never shown as a reason)')),
  def('over_age', 'roster', 'years', 'age above the usual age for the grade'),
  def('grade_level', 'roster', '1-12', 'grade level'),
  def('new_enrolment', 'roster', '0/1', 'enrolled within the last 90 days'),
  def('days_on_roll', 'roster', 'days (capped at 730)', 'days since enrolment (730 when not known)'),

  // Context: the school, not the student; never a reason.
  def(
    'school_dropout_rate',
    'context',
    'share a year',
    "the school's dropouts in the year before D over its students on file, a yearly rate over the part of that year on record",
  ),
  def(
    'class_days_in',
    'context',
    'days (capped at 120)',
    "days since the class's first attendance or exam in the year before D: how far into its term or course",
  ),
];

export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name);
export const FEATURE_INDEX: ReadonlyMap<string, number> = new Map(FEATURE_NAMES.map((n, i) => [n, i]));

export function featureIndex(name: string): number {
  const i = FEATURE_INDEX.get(name);
  if (i === undefined) throw new Error(`unknown feature ${name}`);
  return i;
}
