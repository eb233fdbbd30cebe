import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { STAFF_ROLES, type StaffRole } from '../sources/index.js';
import type { Db } from '../store/index.js';

export type Role = StaffRole;

export const ROLES: readonly Role[] = STAFF_ROLES;

export interface Account {
  staff_id: string;
  school_id: string;
  role: Role;
  class_ids: string[];
  /** How pages greet and name them (staff.csv's display_name); never logged. */
  display_name?: string | null;
  /** A township's or a county bureau's account: the township or county whose schools it oversees. */
  area?: string | null;
}

/** Accounts from staff.csv: ids, schools, roles and classes; passwords are set separately. */
export async function importStaff(db: Db, staff: readonly Account[]): Promise<number> {
  for (const s of staff) {
    await db.query(
      `insert into staff_accounts (staff_id, school_id, role, class_ids, display_name, area) values ($1, $2, $3, $4, $5, $6)
       on conflict (staff_id) do update set school_id = excluded.school_id, role = excluded.role, class_ids = excluded.class_ids,
         display_name = coalesce(excluded.display_name, staff_accounts.display_name), area = excluded.area`,
      [s.staff_id, s.school_id, s.role, JSON.stringify(s.class_ids), s.display_name || null, s.area || null],
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
  return {
    staff_id: r.staff_id,
    school_id: r.school_id,
    role: r.role,
    class_ids: typeof r.class_ids === 'string' ? JSON.parse(r.class_ids) : r.class_ids,
    display_name: r.display_name ?? null,
    area: r.area ?? null,
  };
}

export interface StaffRow extends Account {
  disabled: boolean;
  has_password: boolean;
  invite_open: boolean;
}

export async function listAccounts(db: Db): Promise<StaffRow[]> {
  const { rows } = await db.query<StaffRow>(
    `select staff_id, school_id, role, class_ids, display_name, area, disabled, password_hash is not null as has_password,
            coalesce(invite_expires > now(), false) as invite_open
       from staff_accounts order by school_id, staff_id`,
  );
  return rows.map((r) => ({ ...toAccount(r), disabled: r.disabled, has_password: r.has_password, invite_open: r.invite_open }));
}

/** Creates an account (no password: its owner sets one through a first-sign-in link), or says it exists. */
export async function createAccount(db: Db, a: Account): Promise<boolean> {
  const { rows } = await db.query(
    `insert into staff_accounts (staff_id, school_id, role, class_ids, display_name, area) values ($1, $2, $3, $4, $5, $6)
     on conflict (staff_id) do nothing returning staff_id`,
    [a.staff_id, a.school_id, a.role, JSON.stringify(a.class_ids), a.display_name ?? null, a.area ?? null],
  );
  return rows.length > 0;
}

/** A new role, school, classes or name, or disabled/enabled: a disabled account's sessions end at once. */
export async function updateAccount(
  db: Db,
  staffId: string,
  change: Partial<Pick<Account, 'role' | 'school_id' | 'class_ids' | 'display_name'>> & { disabled?: boolean },
): Promise<boolean> {
  const { rows } = await db.query<{ before: string }>(
    `update staff_accounts set role = coalesce($2, role), school_id = coalesce($3, school_id), class_ids = coalesce($4::jsonb, class_ids),
            display_name = coalesce($5, display_name), disabled = coalesce($6, disabled)
      where staff_id = $1 returning staff_id, (select role from staff_accounts where staff_id = $1) as before`,
    [
      staffId,
      change.role ?? null,
      change.school_id ?? null,
      change.class_ids ? JSON.stringify(change.class_ids) : null,
      change.display_name ?? null,
      change.disabled ?? null,
    ],
  );
  // A disabled account, or one whose role changed, is signed out at once; saving the same role is not a change.
  if (rows.length > 0 && (change.disabled || (change.role && rows[0].before !== change.role)))
    await db.query('delete from sessions where staff_id = $1', [staffId]);
  return rows.length > 0;
}

/**
 * A first-sign-in (or reset) link's token: the admin sends the link, the owner chooses the password,
 * nobody else ever knows it. Only its hash is kept; it works once, for `hours`.
 */
export async function issueInvite(db: Db, staffId: string, hours = 72): Promise<string | null> {
  const token = randomBytes(24).toString('base64url');
  const { rows } = await db.query(
    `update staff_accounts set invite_hash = $2, invite_expires = now() + make_interval(hours => $3::int) where staff_id = $1 returning staff_id`,
    [staffId, tokenHash(token), hours],
  );
  return rows.length > 0 ? token : null;
}

/** The account a link's token opens, if it is current. */
export async function inviteAccount(db: Db, token: string): Promise<Account | null> {
  const { rows } = await db.query<Account & { disabled: boolean }>(
    'select * from staff_accounts where invite_hash = $1 and invite_expires > now() and not disabled',
    [tokenHash(token)],
  );
  return rows[0] ? toAccount(rows[0]) : null;
}

/** Sets the password through the link, which is then spent. */
export async function redeemInvite(db: Db, token: string, password: string): Promise<Account | null> {
  const account = await inviteAccount(db, token);
  if (!account) return null;
  await setPassword(db, account.staff_id, password);
  await db.query('update staff_accounts set invite_hash = null, invite_expires = null where staff_id = $1', [account.staff_id]);
  return account;
}

/** Colleagues a case may be handed to: staff of the school who may see that student. */
export async function colleaguesFor(db: Db, s: { school_id: string; class_id: string }): Promise<Account[]> {
  const { rows } = await db.query<Account & { disabled: boolean }>(
    `select * from staff_accounts where school_id = $1 and not disabled
        and (role in ('psychologist', 'counsellor') or (role = 'head_teacher' and class_ids ? $2)) order by role, staff_id`,
    [s.school_id, s.class_id],
  );
  return rows.map(toAccount);
}

export interface AuditRow {
  at: Date;
  actor: string;
  role: string;
  action: string;
  student_id: string | null;
  detail: Record<string, unknown>;
}

/** The audit trail, newest first: who saw or did what to which student's record, when. */
export async function readAudit(db: Db, filter: { student?: string; actor?: string; limit?: number } = {}): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>(
    `select at, actor, role, action, student_id, detail from audit
      where ($1::text is null or student_id = $1) and ($2::text is null or actor = $2)
      order by at desc, id desc limit $3`,
    [filter.student || null, filter.actor || null, filter.limit ?? 200],
  );
  return rows;
}
