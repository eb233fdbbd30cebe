import { col, type FileSpec } from './types.js';
import { VALUE_NAMES } from './chinese-names.js';

/**
 * Roles up the 控辍保学 chain follow the school's own: a principal (a school), the aid office (a school's
 * 资助 work), a township's and a county bureau's officers (their schools: `area` names the township or
 * county). New roles go at the end: a role is kept as its index.
 */
export const STAFF_ROLES = ['head_teacher', 'psychologist', 'counsellor', 'analyst', 'admin', 'principal', 'aid_office', 'township', 'bureau'] as const;

const SCHOOLLESS = new Set([STAFF_ROLES.indexOf('township'), STAFF_ROLES.indexOf('bureau')]);

export const staff: FileSpec = {
  name: 'staff',
  need: 'optional',
  unique: ['staff_id'],
  checks: [
    // An empty cell reads as no string; a role reads as its index.
    (v) =>
      typeof v('school_id') !== 'string' && !SCHOOLLESS.has(v('role') as number)
        ? { column: 'school_id', reason: 'a school account needs its school_id' }
        : null,
  ],
  columns: [
    col('staff_id', { kind: 'id' }, 'value'),
    // Empty for a township's or the bureau's account, which belongs to no one school.
    col('school_id', { kind: 'category' }, 'column'),
    col('role', { kind: 'enum', values: STAFF_ROLES, aliases: VALUE_NAMES.staff.role }, 'value'),
    col('class_ids', { kind: 'list' }),
    col('display_name', { kind: 'text' }),
    col('webhook_url', { kind: 'text' }),
    col('email', { kind: 'text' }),
    // township and bureau accounts: the township or county whose schools they oversee (schools.csv places schools).
    col('area', { kind: 'text' }),
  ],
};
