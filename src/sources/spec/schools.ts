import { col, type FileSpec } from './types.js';

/**
 * Optional: each school's name and where it sits in the 控辍保学 chain (乡镇, 县). Without it the
 * monthly report has one row per school and a district total, and no township rows.
 */
export const schools: FileSpec = {
  name: 'schools',
  need: 'optional',
  unique: ['school_id'],
  columns: [
    col('school_id', { kind: 'id' }, 'value'),
    col('school_name', { kind: 'text' }),
    col('township', { kind: 'category' }),
    col('county', { kind: 'category' }),
  ],
};
