import { col, type FileSpec } from './types.js';

export const wellbeing: FileSpec = {
  name: 'wellbeing',
  need: 'optional',
  dateColumn: 'date',
  columns: [
    col('student_id', { kind: 'student' }, 'value'),
    col('date', { kind: 'date' }, 'value'),
    col('instrument', { kind: 'category' }, 'value'),
    col('score', { kind: 'number' }),
    col('flagged', { kind: 'bool' }),
  ],
};
