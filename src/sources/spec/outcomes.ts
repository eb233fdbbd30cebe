import { col, type FileSpec } from './types.js';
import { VALUE_NAMES } from './chinese-names.js';

export const OUTCOMES = ['dropped_out', 'transferred', 'graduated', 'suspended', 'returned'] as const;

export const outcomes: FileSpec = {
  name: 'outcomes',
  need: 'optional',
  unique: ['student_id', 'date', 'outcome'],
  dateColumn: 'date',
  columns: [
    col('student_id', { kind: 'student' }, 'value'),
    col('date', { kind: 'date' }, 'value'),
    col('outcome', { kind: 'enum', values: OUTCOMES, aliases: VALUE_NAMES.outcomes.outcome }, 'value'),
  ],
};
