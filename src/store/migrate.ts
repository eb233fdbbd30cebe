import { log } from '../observability/index.js';
import type { Db } from './db.js';
import { MIGRATIONS } from './migrations.js';

/**
 * Applies the migrations not yet applied, each in its own transaction, under an advisory lock so
 * two processes starting at once do not both try. Returns the ids applied now. `upTo` stops after that
 * id (to test a migration against data written before it).
 */
export async function migrate(db: Db, o: { upTo?: number } = {}): Promise<number[]> {
  await db.query(`create table if not exists ews_migrations (id int primary key, name text not null, applied_at timestamptz not null default now())`);
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (o.upTo !== undefined && m.id > o.upTo) break;
    const done = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(7471)');
      const { rows } = await tx.query('select 1 from ews_migrations where id = $1', [m.id]);
      if (rows.length > 0) return false;
      for (const statement of m.sql
        .split(/;\s*\n/)
        .map((s) => s.trim())
        .filter(Boolean))
        await tx.query(statement);
      await tx.query('insert into ews_migrations (id, name) values ($1, $2)', [m.id, m.name]);
      return true;
    });
    if (done) {
      applied.push(m.id);
      log.info({ migration: m.id, name: m.name }, 'migration applied');
    }
  }
  return applied;
}
