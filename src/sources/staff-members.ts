import type { Table } from './read/table.js';
import { STAFF_ROLES } from './spec/staff.js';

export type StaffRole = (typeof STAFF_ROLES)[number];

/** One row of the checked staff table, as lists, deliveries and sign-in read it. */
export interface StaffMember {
  staff_id: string;
  school_id: string;
  role: StaffRole;
  class_ids: string[];
  webhook_url: string;
  email: string;
  /** A township's or county's officers: the area they oversee ('' for everyone else). */
  area: string;
}

/** The checked staff table as rows: the one place its columns and role codes are decoded. */
export function staffMembers(t: Table | null): StaffMember[] {
  if (!t) return [];
  const school = t.codes('school_id');
  const ids = t.strings('staff_id');
  const roles = t.uint8('role');
  const classes = t.lists('class_ids');
  const hooks = t.strings('webhook_url');
  const emails = t.strings('email');
  const areas = t.columns.has('area') ? t.strings('area') : null;
  return ids.map((id, i) => ({
    staff_id: id,
    school_id: school.data[i] >= 0 ? school.dict[school.data[i]] : '',
    role: STAFF_ROLES[roles[i]],
    class_ids: classes[i],
    webhook_url: hooks[i],
    email: emails[i],
    area: areas?.[i] ?? '',
  }));
}
