import { col, type FileSpec } from './types.js';
import { VALUE_NAMES } from './chinese-names.js';

/**
 * `transfer_confirmed` (an extension of the contract): the receiving school has the student. Until it is
 * recorded, a transfer stays open — a 转学 that nobody receives is how a dropout hides (see ews report and
 * the same-day check). New values go at the end: a value is kept as its index.
 */
export const OUTCOMES = ['dropped_out', 'transferred', 'graduated', 'suspended', 'returned', 'transfer_confirmed'] as const;

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
