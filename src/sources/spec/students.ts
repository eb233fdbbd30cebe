import { col, type FileSpec } from './types.js';
import { VALUE_NAMES } from './chinese-names.js';

export const GENDERS = ['F', 'M', 'X'] as const;

export const students: FileSpec = {
  name: 'students',
  need: 'required',
  unique: ['student_id'],
  columns: [
    col('student_id', { kind: 'id' }, 'value'),
    col('school_id', { kind: 'category' }, 'value'),
    col('class_id', { kind: 'category' }, 'value'),
    col('grade_level', { kind: 'int', min: 1, max: 12 }, 'value'),
    col('gender', { kind: 'enum', values: GENDERS, aliases: VALUE_NAMES.students.gender }),
    col('birth_date', { kind: 'date' }),
    col('enrolled_on', { kind: 'date' }),
    col('boarding', { kind: 'bool' }),
    col('left_behind', { kind: 'bool' }),
    col('single_parent', { kind: 'bool' }),
    col('orphan', { kind: 'bool' }),
    col('disability', { kind: 'bool' }),
    col('ethnic_minority', { kind: 'bool' }),
    col('rural_hukou', { kind: 'bool' }),
    col('head_teacher_id', { kind: 'category' }),
    // Whom to call: shown only on the pages of staff who may see the student (web/), never in scores,
    // lists, pushes, logs or analysts' views; the pipeline reads them only to hand them to the store.
    col('name', { kind: 'text' }),
    col('guardian_name', { kind: 'text' }),
    col('guardian_phone', { kind: 'text' }),
  ],
};
