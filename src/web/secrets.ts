import { randomBytes } from 'node:crypto';
import type { Db } from '../store/index.js';

/**
 * The secret that signs form tokens, kept in the store: a restart (or a second server behind the same
 * store) accepts a form a teacher opened before it, instead of losing what they typed.
 */
export async function keptSecret(db: Db, name = 'cookie'): Promise<string> {
  await db.query('insert into app_secrets (name, value) values ($1, $2) on conflict (name) do nothing', [name, randomBytes(32).toString('hex')]);
  const { rows } = await db.query<{ value: string }>('select value from app_secrets where name = $1', [name]);
  return rows[0].value;
}
