import { col, type FileSpec } from './types.js';
import { VALUE_NAMES } from './chinese-names.js';

/** Ordered from best to worst: a day with several periods takes its worst status. */
export const ATTENDANCE_STATUSES = ['present', 'late', 'left_early', 'absent_excused', 'absent_sick', 'absent_unexcused'] as const;

export const attendance: FileSpec = {
  name: 'attendance',
  need: 'required',
  unique: ['student_id', 'date', 'period'],
  dateColumn: 'date',
  columns: [
    col('student_id', { kind: 'student' }, 'value'),
    col('date', { kind: 'date' }, 'value'),
    col('status', { kind: 'enum', values: ATTENDANCE_STATUSES, aliases: VALUE_NAMES.attendance.status }, 'value'),
    col('period', { kind: 'category' }),
  ],
};
