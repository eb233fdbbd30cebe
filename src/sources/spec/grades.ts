import { col, type FileSpec } from './types.js';
import { VALUE_NAMES } from './chinese-names.js';

export const EXAM_KINDS = ['monthly', 'midterm', 'final', 'quiz', 'other'] as const;

export const grades: FileSpec = {
  name: 'grades',
  need: 'required',
  unique: ['student_id', 'date', 'subject', 'exam'],
  dateColumn: 'date',
  columns: [
    col('student_id', { kind: 'student' }, 'value'),
    col('date', { kind: 'date' }, 'value'),
    col('term', { kind: 'category' }, 'value'),
    col('subject', { kind: 'category' }, 'value'),
    col('exam', { kind: 'enum', values: EXAM_KINDS, aliases: VALUE_NAMES.grades.exam }, 'value'),
    col('score', { kind: 'number', min: 0 }, 'column'),
    col('full_score', { kind: 'number', above: 0 }, 'value'),
  ],
  checks: [
    (value) => {
      const score = value('score');
      const full = value('full_score');
      return typeof score === 'number' && typeof full === 'number' && score > full
        ? { column: 'score', reason: `score ${score} is above full_score ${full}` }
        : null;
    },
  ],
};
