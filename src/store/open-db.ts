import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { log } from '../observability/index.js';
import type { Db } from './db.js';
import { migrate } from './migrate.js';

export interface OpenOptions {
  /** postgres://… for a server; `memory://` or a folder path for PGlite. Default: DATABASE_URL, else EWS_DB, else `.ews/db`. */
  url?: string;
  /** Apply pending migrations on open. Default true. */
  migrate?: boolean;
}

export async function openDb(o: OpenOptions = {}): Promise<Db> {
  const url = o.url ?? process.env.DATABASE_URL ?? process.env.EWS_DB ?? '.ews/db';
  const db = /^postgres(ql)?:\/\//.test(url) ? postgres(url) : await pglite(url);
  log.info({ engine: db.engine }, 'database opened');
  if (o.migrate !== false) await migrate(db);
  return db;
}

function postgres(url: string): Db {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', (e) => log.warn({ err: e.message }, 'idle database connection failed'));
  const wrap = (c: pg.Pool | pg.PoolClient): Db => ({
    engine: 'postgres',
    query: async (sql, params) => ({ rows: (await c.query(sql, params as unknown[])).rows }),
    copyIn: async (sql, text) => {
      const client = c instanceof pg.Pool ? await c.connect() : c;
      try {
        await pipeline(Readable.from([text]), client.query(copyFrom(sql)));
      } finally {
        if (c instanceof pg.Pool) (client as pg.PoolClient).release();
      }
    },
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const r = await fn(wrap(client));
        await client.query('commit');
        return r;
      } catch (e) {
        await client.query('rollback');
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  });
  return wrap(pool);
}

async function pglite(url: string): Promise<Db> {
  if (url !== 'memory://') await mkdir(url, { recursive: true });
  const lite = url === 'memory://' ? new PGlite() : new PGlite(url);
  await lite.waitReady;
  const wrap = (c: Pick<PGlite, 'query'>, inTx: boolean): Db => ({
    engine: 'pglite',
    query: async (sql, params) => ({ rows: (await c.query(sql, params as unknown[])).rows as never[] }),
    // PGlite reads COPY's input from a blob it is handed, in place of standard input.
    copyIn: async (sql, text) => void (await c.query(sql.replace(/from stdin$/i, "from '/dev/blob'"), [], { blob: new Blob([text]) })),
    transaction: async (fn) => (inTx ? fn(wrap(c, true)) : lite.transaction((tx) => fn(wrap(tx, true)))),
    close: () => (inTx ? Promise.resolve() : lite.close()),
  });
  return wrap(lite, false);
}
