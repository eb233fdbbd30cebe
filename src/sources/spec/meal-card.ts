import { col, type FileSpec } from './types.js';

export const mealCard: FileSpec = {
  name: 'meal_card',
  need: 'optional',
  unique: ['student_id', 'date'],
  dateColumn: 'date',
  columns: [
    col('student_id', { kind: 'student' }, 'value'),
    col('date', { kind: 'date' }, 'value'),
    col('amount', { kind: 'number', min: 0 }, 'value'),
    col('meals', { kind: 'int', min: 0, max: 10 }),
  ],
};
