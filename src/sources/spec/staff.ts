import { col, type FileSpec } from './types.js';
import { VALUE_NAMES } from './chinese-names.js';

export const STAFF_ROLES = ['head_teacher', 'psychologist', 'counsellor', 'analyst', 'admin'] as const;

export const staff: FileSpec = {
  name: 'staff',
  need: 'optional',
  unique: ['staff_id'],
  columns: [
    col('staff_id', { kind: 'id' }, 'value'),
    col('school_id', { kind: 'category' }, 'value'),
    col('role', { kind: 'enum', values: STAFF_ROLES, aliases: VALUE_NAMES.staff.role }, 'value'),
    col('class_ids', { kind: 'list' }),
    col('display_name', { kind: 'text' }),
    col('webhook_url', { kind: 'text' }),
    col('email', { kind: 'text' }),
  ],
};
