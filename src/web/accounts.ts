import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Db } from '../store/index.js';

export type Role = 'head_teacher' | 'psychologist' | 'counsellor' | 'analyst' | 'admin';

export interface Account {
  staff_id: string;
  school_id: string;
  role: Role;
  class_ids: string[];
}

/** Accounts from staff.csv: ids, schools, roles and classes; passwords are set separately. */
export async function importStaff(db: Db, staff: readonly Account[]): Promise<number> {
  for (const s of staff) {
    await db.query(
      `insert into staff_accounts (staff_id, school_id, role, class_ids) values ($1, $2, $3, $4)
       on conflict (staff_id) do update set school_id = excluded.school_id, role = excluded.role, class_ids = excluded.class_ids`,
      [s.staff_id, s.school_id, s.role, JSON.stringify(s.class_ids)],
    );
  }
  return staff.length;
}

/** Argon2id, the library's defaults (19 MiB, 2 passes): slow enough to make guessing expensive. */
export async function setPassword(db: Db, staffId: string, password: string): Promise<void> {
  if (password.length < 10) throw new Error('a password needs at least 10 characters');
  const { rows } = await db.query('update staff_accounts set password_hash = $2 where staff_id = $1 returning staff_id', [staffId, await hash(password)]);
  if (rows.length === 0) throw new Error(`no staff account ${staffId}`);
}

// Verifying against this when the account is unknown keeps the answer time the same.
const DUMMY = hash('not a password of anyone');

export async function checkPassword(db: Db, staffId: string, password: string): Promise<Account | null> {
  const { rows } = await db.query<Account & { password_hash: string | null; disabled: boolean }>('select * from staff_accounts where staff_id = $1', [staffId]);
  const row = rows[0];
  const ok = await verify(row?.password_hash ?? (await DUMMY), password).catch(() => false);
  if (!row?.password_hash || row.disabled || !ok) return null;
  return toAccount(row);
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** A session token for a cookie; only its hash is stored. Default lifetime 8 hours. */
export async function createSession(db: Db, staffId: string, hours = 8): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query(`insert into sessions (token_hash, staff_id, expires_at) values ($1, $2, now() + make_interval(hours => $3::int))`, [
    tokenHash(token),
    staffId,
    hours,
  ]);
  return token;
}

export async function sessionAccount(db: Db, token: string | undefined): Promise<Account | null> {
  if (!token) return null;
  const { rows } = await db.query<Account & { disabled: boolean }>(
    `select a.* from sessions s join staff_accounts a on a.staff_id = s.staff_id where s.token_hash = $1 and s.expires_at > now()`,
    [tokenHash(token)],
  );
  return rows[0] && !rows[0].disabled ? toAccount(rows[0]) : null;
}

export async function endSession(db: Db, token: string | undefined): Promise<void> {
  if (token) await db.query('delete from sessions where token_hash = $1', [tokenHash(token)]);
}

/** Who saw or did what to which student's record, when. */
export async function audit(db: Db, a: Account, action: string, studentId: string | null, detail: Record<string, unknown> = {}): Promise<void> {
  await db.query('insert into audit (actor, role, action, student_id, detail) values ($1, $2, $3, $4, $5)', [
    a.staff_id,
    a.role,
    action,
    studentId,
    JSON.stringify(detail),
  ]);
}

function toAccount(r: Account): Account {
  return { staff_id: r.staff_id, school_id: r.school_id, role: r.role, class_ids: typeof r.class_ids === 'string' ? JSON.parse(r.class_ids) : r.class_ids };
}
