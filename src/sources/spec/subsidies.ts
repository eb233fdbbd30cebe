import { col, type FileSpec } from './types.js';
import { VALUE_NAMES } from './chinese-names.js';

export const SUBSIDY_PROGRAMS = [
  'national_grant',
  'nutrition_meal',
  'boarding_allowance',
  'tuition_waiver',
  'poverty_registered',
  'minimum_living',
  'extreme_poverty',
  'difficulty_certified',
  'social_donation',
  'work_study',
  'loan',
  'other',
] as const;

export const SUBSIDY_STATUSES = ['applied', 'granted', 'stopped', 'rejected'] as const;

export const subsidies: FileSpec = {
  name: 'subsidies',
  need: 'present',
  dateColumn: 'effective_from',
  columns: [
    col('student_id', { kind: 'student' }, 'value'),
    col('program', { kind: 'enum', values: SUBSIDY_PROGRAMS, aliases: VALUE_NAMES.subsidies.program }, 'value'),
    col('status', { kind: 'enum', values: SUBSIDY_STATUSES, aliases: VALUE_NAMES.subsidies.status }, 'value'),
    col('level', { kind: 'int', min: 1, max: 3 }),
    col('amount', { kind: 'number', min: 0 }),
    col('effective_from', { kind: 'date' }, 'value'),
    col('effective_to', { kind: 'date' }),
  ],
  checks: [
    (value) => {
      const from = value('effective_from');
      const to = value('effective_to');
      return typeof from === 'number' && typeof to === 'number' && to < from ? { column: 'effective_to', reason: 'the span ends before it starts' } : null;
    },
  ],
};
