/**
 * The follow-up of an alert as schools work it. The ordinary path:
 *   new → acknowledged → contacted (talk, home visit, parents called) → intervention (tutoring,
 *   aid applied, psychologist referral …) → resolved.
 * For a student who has stopped coming, the 劝返 (persuade-to-return) path:
 *   acknowledged → home_visit → return_notice → escalated (to the township) → returned | left.
 * Each step records who and when; `returned` and `left` write an outcome that training uses.
 */
export const STATUSES = [
  'new',
  'acknowledged',
  'contacted',
  'intervention',
  'home_visit',
  'return_notice',
  'escalated',
  'resolved',
  'returned',
  'left',
  // The 劝返 procedure's later steps (case_procedure, migration 7).
  'escalated_county',
  'penalty',
  'judicial',
  'whereabouts_unknown',
] as const;
export type CaseStatus = (typeof STATUSES)[number];

export const CLOSED: ReadonlySet<CaseStatus> = new Set(['resolved', 'returned', 'left']);

export const STEPS = {
  acknowledge: { kinds: [] },
  contact: { kinds: ['talk', 'home_visit', 'parents_called'] },
  intervene: { kinds: ['tutoring', 'subsidy_applied', 'psychologist_referral', 'counselling', 'other'] },
  resolve: { kinds: [] },
  persuade_visit: { kinds: [] }, // 劝返家访
  return_notice: { kinds: [] }, // 复学通知书
  escalate_township: { kinds: [] }, // 报乡镇
  returned: { kinds: [] },
  left: { kinds: ['dropped_out', 'transferred'] },
  reopen: { kinds: [] }, // a resolved case taken up again: the worry came back
} as const;
export type Step = keyof typeof STEPS;

const RETURN_PATH: Partial<Record<Step, CaseStatus>> = { returned: 'returned', left: 'left' };

const TRANSITIONS: Record<CaseStatus, Partial<Record<Step, CaseStatus>>> = {
  new: { acknowledge: 'acknowledged' },
  acknowledged: { contact: 'contacted', intervene: 'intervention', persuade_visit: 'home_visit', resolve: 'resolved' },
  contacted: { contact: 'contacted', intervene: 'intervention', persuade_visit: 'home_visit', resolve: 'resolved', ...RETURN_PATH },
  intervention: { contact: 'contacted', intervene: 'intervention', resolve: 'resolved', ...RETURN_PATH },
  home_visit: { persuade_visit: 'home_visit', return_notice: 'return_notice', ...RETURN_PATH },
  return_notice: { persuade_visit: 'home_visit', escalate_township: 'escalated', ...RETURN_PATH },
  escalated: { persuade_visit: 'home_visit', ...RETURN_PATH },
  resolved: { reopen: 'acknowledged' },
  returned: {},
  left: {},
  escalated_county: { persuade_visit: 'home_visit', ...RETURN_PATH },
  penalty: { persuade_visit: 'home_visit', ...RETURN_PATH },
  judicial: { persuade_visit: 'home_visit', ...RETURN_PATH },
  whereabouts_unknown: { persuade_visit: 'home_visit', ...RETURN_PATH },
};

/** What a case was opened for (alerts.cause). */
export type CaseCause = 'weekly_list' | 'absence_streak' | 'severe_event' | 'by_hand' | 'transfer_unconfirmed';

/** Causes of a student who may have stopped coming: the 劝返 path and 已返校 fit them. */
const ABSENT: ReadonlySet<CaseCause> = new Set(['absence_streak', 'transfer_unconfirmed']);

const ORDINARY: ReadonlySet<CaseStatus> = new Set(['new', 'acknowledged', 'contacted', 'intervention']);
// Starting the 劝返 path, or recording a return, is for a student who has stopped coming: on a case
// opened for anything else a return would write a `returned` outcome, a training label, for a student
// who never left. Such a student gets an absence case of their own (三天连续无故缺勤).
const ONLY_FOR_ABSENCE: ReadonlySet<Step> = new Set(['persuade_visit', 'returned']);

/** The status a step leads to from `status` on a case opened for `cause`, or null when the step does not fit. */
export function nextStatus(status: CaseStatus, step: Step, cause?: CaseCause): CaseStatus | null {
  if (cause && !ABSENT.has(cause) && ORDINARY.has(status) && ONLY_FOR_ABSENCE.has(step)) return null;
  return TRANSITIONS[status][step] ?? null;
}

/** The steps a case in `status`, opened for `cause`, may take next: what the page offers. */
export function allowedSteps(status: CaseStatus, cause?: CaseCause): Step[] {
  return (Object.keys(TRANSITIONS[status]) as Step[]).filter((step) => nextStatus(status, step, cause) !== null);
}
