import type { Table } from '../sources/index.js';
import { copyField, type Db } from '../store/index.js';

/** The columns of students.csv that say whom to call (contract: optional, never in scores, lists, pushes or logs). */
export const CONTACT_COLUMNS = ['name', 'guardian_name', 'guardian_phone'] as const;

export interface Contact {
  name: string | null;
  guardian_name: string | null;
  guardian_phone: string | null;
}

/** Does this roll say whom to call for anyone? (A district that exports no names needs no store for them.) */
export function hasContacts(students: Table): boolean {
  for (const c of CONTACT_COLUMNS) {
    if (!students.columns.has(c)) continue;
    if (students.strings(c).some((v) => v.trim() !== '')) return true;
  }
  return false;
}

/**
 * Keeps the roll's names and guardians' contacts where only the pages read them, so a head teacher
 * sees whom to call. A roll that carries none (a district that does not export names) changes
 * nothing; a student whose row leaves a field empty keeps what an earlier roll said. Returns the
 * number of students whose contacts were written.
 */
export async function keepContacts(db: Db, students: Table): Promise<number> {
  const ids = students.strings('student_id');
  const cols = CONTACT_COLUMNS.map((c) => (students.columns.has(c) ? students.strings(c) : null));
  let text = '';
  let n = 0;
  for (let i = 0; i < students.length; i++) {
    const values = cols.map((c) => c?.[i]?.trim() ?? '');
    if (values.every((v) => v === '')) continue;
    text += `${[ids[i], ...values].map((v) => (v === '' ? '\\N' : copyField(v))).join('\t')}\n`;
    n++;
  }
  if (n === 0) return 0;
  await db.transaction(async (tx) => {
    await tx.query('create temporary table incoming_contacts (student_id text, name text, guardian_name text, guardian_phone text) on commit drop');
    await tx.copyIn('copy incoming_contacts from stdin', text);
    await tx.query(
      `insert into student_contacts (student_id, name, guardian_name, guardian_phone)
       select distinct on (student_id) student_id, name, guardian_name, guardian_phone from incoming_contacts
       on conflict (student_id) do update set
         name = coalesce(excluded.name, student_contacts.name),
         guardian_name = coalesce(excluded.guardian_name, student_contacts.guardian_name),
         guardian_phone = coalesce(excluded.guardian_phone, student_contacts.guardian_phone),
         updated_at = now()`,
    );
  });
  return n;
}

/** One student's contacts, for a page whose role check has already passed. */
export async function contactOf(db: Db, studentId: string): Promise<Contact | null> {
  const { rows } = await db.query<Contact>('select name, guardian_name, guardian_phone from student_contacts where student_id = $1', [studentId]);
  return rows[0] ?? null;
}

/** Names of some students (a class list, a triage list), for a page whose role check has already passed. */
export async function namesOf(db: Db, studentIds: readonly string[]): Promise<Map<string, string>> {
  if (studentIds.length === 0) return new Map();
  const { rows } = await db.query<{ student_id: string; name: string }>(
    'select student_id, name from student_contacts where student_id = any($1::text[]) and name is not null',
    [studentIds],
  );
  return new Map(rows.map((r) => [r.student_id, r.name]));
}

/** Contacts of some students (a list's export), for a page whose role check has already passed. */
export async function contactsOf(db: Db, studentIds: readonly string[]): Promise<Map<string, Contact>> {
  if (studentIds.length === 0) return new Map();
  const { rows } = await db.query<Contact & { student_id: string }>(
    'select student_id, name, guardian_name, guardian_phone from student_contacts where student_id = any($1::text[])',
    [studentIds],
  );
  return new Map(rows.map(({ student_id, ...c }) => [student_id, c]));
}
