import { renderStored, type ScoredStudent } from '../../src/scoring/index.js';

/** A scored student as the score stage makes one: weekly attendance, exam standing, reasons for both audiences. */
export function scoredStudent(over: Pick<ScoredStudent, 'student_id' | 'tier' | 'risk'> & Partial<ScoredStudent>, flagged = false): ScoredStudent {
  return {
    school_id: 'S',
    class_id: '7-1',
    head_teacher_id: '',
    grade_level: 7,
    as_of: '2026-03-02',
    rank_in_class: 1,
    rank_in_school: 1,
    change: 'new',
    circumstances: [],
    prev_tier: null,
    prev_risk: null,
    weekly_unexcused: [0, 0, 0.2, 0.4, 0.6, null, 0.8, 1],
    exam_standing: [0.1, -0.3, -0.9, -1.4],
    // Words made by the registry, as reasonsFor makes them: 5 unexcused days, a flagged screening.
    reasons: renderStored([
      ['att_unexcused_days_4w', 1, 5],
      ['wellbeing_flagged', 0.5, 1],
    ]),
    acute: { wellbeing_flagged: flagged, wellbeing_z: flagged ? 2.5 : 0.1, family_severe: null },
    ...over,
  };
}
