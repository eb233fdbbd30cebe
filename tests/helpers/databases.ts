import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDb, type Db } from '../../src/store/index.js';

/** The PostgreSQL server the tests use: TEST_DATABASE_URL, else the local one with trust auth. */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** `pglite-thread`: the embedded store on a thread of its own, as the weekly run opens it. */
export type Engine = 'postgres' | 'pglite' | 'pglite-thread';
export const ENGINES: Engine[] = ['postgres', 'pglite', 'pglite-thread'];

/**
 * A fresh, empty database of either engine: on PostgreSQL a schema of its own (dropped by
 * `cleanup`), on PGlite an in-memory instance.
 */
export async function freshDb(engine: Engine, o: { migrate?: boolean } = {}): Promise<{ db: Db; cleanup: () => Promise<void> }> {
  if (engine !== 'postgres') {
    const db = await openDb({ url: 'memory://', offThread: engine === 'pglite-thread', migrate: o.migrate });
    return { db, cleanup: () => db.close() };
  }
  const schema = `ews_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const db = await openDb({ url: `${POSTGRES_URL}?options=-c%20search_path%3D${schema}`, migrate: o.migrate });
  return {
    db,
    cleanup: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}
