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
  resolved: {},
  returned: {},
  left: {},
};

/** The status a step leads to from `status`, or null when the step is not allowed there. */
export function nextStatus(status: CaseStatus, step: Step): CaseStatus | null {
  return TRANSITIONS[status][step] ?? null;
}

export function allowedSteps(status: CaseStatus): Step[] {
  return Object.keys(TRANSITIONS[status]) as Step[];
}
