import type { Day } from '../../dates/index.js';
import { NO_DAY, SUBSIDY_PROGRAMS, SUBSIDY_STATUSES, type Table } from '../../sources/index.js';
import type { FeatureMatrix } from '../matrix.js';
import type { DayRows } from '../prepare.js';

export const PROGRAM_TEXT: Record<(typeof SUBSIDY_PROGRAMS)[number], { zh: string; en: string }> = {
  national_grant: { zh: '国家助学金', en: 'national grant' },
  nutrition_meal: { zh: '营养餐补助', en: 'nutrition meal subsidy' },
  boarding_allowance: { zh: '寄宿生生活补助', en: 'boarding allowance' },
  tuition_waiver: { zh: '学费减免', en: 'tuition waiver' },
  poverty_registered: { zh: '建档立卡资助', en: 'registered-poverty support' },
  minimum_living: { zh: '低保', en: 'minimum living allowance' },
  extreme_poverty: { zh: '特困供养', en: 'extreme-poverty support' },
  difficulty_certified: { zh: '困难认定', en: 'difficulty certification' },
  social_donation: { zh: '社会捐助', en: 'donation' },
  work_study: { zh: '勤工助学', en: 'work-study' },
  loan: { zh: '助学贷款', en: 'student loan' },
  other: { zh: '其他资助', en: 'other aid' },
};

const GRANTED = SUBSIDY_STATUSES.indexOf('granted');
const STOPPED = SUBSIDY_STATUSES.indexOf('stopped');
const REJECTED = SUBSIDY_STATUSES.indexOf('rejected');
const DIFFICULTY = SUBSIDY_PROGRAMS.indexOf('difficulty_certified');
const POVERTY = new Set(['poverty_registered', 'minimum_living', 'extreme_poverty'].map((p) => SUBSIDY_PROGRAMS.indexOf(p as never)));

/**
 * Aid in force on D. A row is dated by `effective_from`; an `effective_to` after D only says
 * the grant was still running on D — which is all it is read for.
 */
export function aidFeatures(t: Table, rows: DayRows, asOf: Day, m: FeatureMatrix): void {
  const program = t.uint8('program');
  const status = t.uint8('status');
  const level = t.float64('level');
  const to = t.int32('effective_to');
  const set = {
    active: m.column('aid_active_programs'),
    level: m.column('aid_difficulty_level'),
    poverty: m.column('aid_poverty_status'),
    stopped: m.column('aid_stopped_8w'),
    rejected: m.column('aid_rejected_365'),
  };
  for (let r = 0; r < m.rows; r++) {
    const s = m.students[r];
    let active = 0,
      lvl = 0,
      poverty = 0,
      stopped = 0,
      rejected = 0;
    for (let p = rows.by.offsets[s]; p < rows.by.offsets[s + 1]; p++) {
      const i = rows.by.order[p];
      const age = asOf - rows.day[i];
      if (age < 0) break;
      if (status[i] === GRANTED && (to[i] === NO_DAY || to[i] >= asOf)) {
        active++;
        if (program[i] === DIFFICULTY) lvl = Math.max(lvl, Number.isNaN(level[i]) ? 1 : level[i]);
        if (POVERTY.has(program[i])) poverty = 1;
      } else if (status[i] === STOPPED && age < 56) {
        stopped = 1;
        m.setDetail('aid_stopped_8w', r, PROGRAM_TEXT[SUBSIDY_PROGRAMS[program[i]]]);
      } else if (status[i] === REJECTED && age < 365) {
        rejected = 1;
      }
    }
    set.active(r, active);
    set.level(r, lvl);
    set.poverty(r, poverty);
    set.stopped(r, stopped);
    set.rejected(r, rejected);
  }
}
