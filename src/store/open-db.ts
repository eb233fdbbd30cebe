import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EwsError } from '../errors/index.js';
import { log } from '../observability/index.js';
import type { Db } from './db.js';
import { migrate } from './migrate.js';
import { ThreadCalls } from '../util/threads.js';
import type { LiteCall } from './pglite-thread.js';

export interface OpenOptions {
  /** postgres://… for a server; `memory://` or a folder path for PGlite. Default: DATABASE_URL, else EWS_DB, else `.ews/db`. */
  url?: string;
  /** Apply pending migrations on open. Default true. */
  migrate?: boolean;
  /**
   * An embedded store works on a thread of its own (the weekly run: its COPY then overlaps the
   * pipeline's work instead of stalling it). Default false: the web server's short queries stay here.
   */
  offThread?: boolean;
}

export async function openDb(o: OpenOptions = {}): Promise<Db> {
  const url = o.url ?? process.env.DATABASE_URL ?? process.env.EWS_DB ?? '.ews/db';
  const server = /^postgres(ql)?:\/\//.test(url);
  let db: Db;
  try {
    db = server ? postgres(url) : o.offThread ? await pgliteOffThread(url) : await pglite(url);
    if (server) await db.query('select 1').catch(closeAndThrow(db));
  } catch (e) {
    const where = server ? serverName(url) : `the embedded store at ${url}`;
    throw new EwsError('EWS_STORE_UNAVAILABLE', `the system of record (${where}) could not be opened: ${(e as Error).message}`, { cause: e });
  }
  log.info({ engine: db.engine }, 'database opened');
  // A migration that fails is not a store that is down: it fails as itself, and a queue does not retry it.
  if (o.migrate !== false) await migrate(db).catch(closeAndThrow(db));
  return db;
}

const closeAndThrow = (db: Db) => async (e: unknown) => {
  await db.close().catch(() => {});
  throw e;
};

/** A server fit for an error line: user, host, port and database, nothing that may hold a password. */
function serverName(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
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

/**
 * PGlite on its own thread, as a Db. A transaction is BEGIN … COMMIT on the thread's one session;
 * while it is open, queries from outside it wait (as PGlite's own transaction makes them), so
 * nothing joins it by accident.
 */
async function pgliteOffThread(url: string): Promise<Db> {
  const thread = new ThreadCalls<LiteCall, unknown>(new URL('./pglite-thread.ts', import.meta.url));
  try {
    await thread.call({ op: 'open', url });
  } catch (e) {
    await thread.close(); // else the thread keeps the process alive after the error is told
    throw e;
  }
  let free: Promise<void> = Promise.resolve();
  const exclusive = async <T>(fn: () => Promise<T>): Promise<T> => {
    const before = free;
    let release!: () => void;
    free = new Promise<void>((r) => (release = r));
    await before;
    try {
      return await fn();
    } finally {
      release();
    }
  };
  const direct: Db = {
    engine: 'pglite',
    query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await thread.call({ op: 'query', sql, params })) as T[] }),
    copyIn: async (sql, text) => void (await thread.call({ op: 'copy', sql, text })),
    transaction: (fn) => fn(direct),
    close: async () => {},
  };
  return {
    engine: 'pglite',
    query: (sql, params) => exclusive(() => direct.query(sql, params)),
    copyIn: (sql, text) => exclusive(() => direct.copyIn(sql, text)),
    transaction: (fn) =>
      exclusive(async () => {
        await direct.query('begin');
        try {
          const r = await fn(direct);
          await direct.query('commit');
          return r;
        } catch (e) {
          await direct.query('rollback');
          throw e;
        }
      }),
    close: async () => {
      await exclusive(() => thread.call({ op: 'close' }));
      await thread.close();
    },
  };
}
