import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import mysql from 'mysql2';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { EwsError, OptionError } from '../../errors/index.js';
import { log } from '../../observability/index.js';
import { CsvWriter } from '../../util/csv-write.js';
import type { SqlConfig } from './sql-config.js';

/** A url with `${VAR}` filled in from the environment; a variable that is not set is named. */
function expand(url: string, name: string): string {
  return url.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, v: string) => {
    const value = process.env[v];
    if (value === undefined) throw new OptionError('--sql', `connection ${name} uses \${${v}}, which is not set`);
    return value;
  });
}

/** A url as logs and errors may show it: whatever stands before the host's last `@` (a password may hold one) hidden. */
const masked = (url: string) => url.replace(/\/\/.*@/, '//***@');

/** A database's message without what it quotes (a value from a row, as in `invalid input syntax: "…"`). */
const withoutValues = (message: string) => message.replace(/"[^"]*"|'[^']*'/g, '…');

/** A connection lost mid-query can come back; a query the server refuses cannot. */
const lostConnection = (e: unknown) =>
  /^(ECONN|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|PROTOCOL_CONNECTION_LOST)/.test(String((e as { code?: string }).code ?? '')) ||
  /Connection terminated|connection.*(closed|lost)/i.test((e as Error).message);

/** A query may run this long (a school's server under load is slow, not stuck for ever). */
const QUERY_TIMEOUT_MS = 30 * 60_000;

/** Runs each source's query (or those in `only`) and writes its rows as the source's CSV in `out`. */
export async function queriesToFolder(config: SqlConfig, out: string, since: (source: string) => string, only?: readonly string[]): Promise<string[]> {
  mkdirSync(out, { recursive: true });
  const done: string[] = [];
  for (const [source, s] of Object.entries(config.sources)) {
    if (!s || (only && !only.includes(source))) continue;
    const url = expand(config.connections[s.connection], s.connection);
    const query = s.query.replace(/:since\b/g, `'${since(source)}'`);
    const file = join(out, `${source}.csv`);
    const started = performance.now();
    if (/^postgres(ql)?:\/\//.test(url)) await fromPostgres(url, query, file, source, s.connection);
    else if (/^(mysql|mariadb):\/\//.test(url)) await fromMysql(url.replace(/^mariadb:/, 'mysql:'), query, file, source, s.connection);
    else throw new OptionError('--sql', `connection ${s.connection}: ${masked(url)} is neither postgres:// nor mysql://`);
    log.info({ source, connection: s.connection, ms: Math.round(performance.now() - started) }, 'queried');
    done.push(source);
  }
  return done;
}

/** COPY … TO STDOUT: the server writes the CSV, streamed to the file as it comes. */
async function fromPostgres(url: string, query: string, file: string, source: string, connection: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (e) {
    throw new EwsError(
      'EWS_SOURCE_UNAVAILABLE',
      `${source}: connection ${connection} (${masked(url)}) could not be opened: ${withoutValues((e as Error).message)}`,
      {
        cause: e,
      },
    );
  }
  try {
    await client.query("SET DateStyle = 'ISO, YMD'");
    await client.query(`SET statement_timeout = ${QUERY_TIMEOUT_MS}`);
    const copy = client.query(copyTo(`COPY (${query}) TO STDOUT WITH (FORMAT csv, HEADER)`));
    await pipeline(copy, createWriteStream(file));
  } catch (e) {
    throw queryError(e, source, connection);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Rows streamed from the server, dates as the text it holds (no time-zone shift), written as CSV. */
async function fromMysql(url: string, query: string, file: string, source: string, connection: string): Promise<void> {
  const conn = mysql.createConnection({ uri: url, dateStrings: true, connectTimeout: 10_000, supportBigNumbers: true, bigNumberStrings: true });
  try {
    await conn.promise().connect();
  } catch (e) {
    conn.destroy();
    throw new EwsError(
      'EWS_SOURCE_UNAVAILABLE',
      `${source}: connection ${connection} (${masked(url)}) could not be opened: ${withoutValues((e as Error).message)}`,
      {
        cause: e,
      },
    );
  }
  try {
    await new Promise<void>((resolve, reject) => {
      let w: CsvWriter | null = null;
      let names: string[] = [];
      conn
        .query({ sql: query, rowsAsArray: true, timeout: QUERY_TIMEOUT_MS })
        .on('fields', (fields: { name: string }[]) => {
          names = fields.map((f) => f.name);
          w = new CsvWriter(file, names);
        })
        .on('result', (row: unknown[]) => w!.row(row.map((v) => (v instanceof Buffer ? v.toString('utf8') : v))))
        .on('error', reject)
        .on('end', () => (w ? w.close() : Promise.resolve()).then(resolve, reject));
    });
  } catch (e) {
    throw queryError(e, source, connection);
  } finally {
    conn.destroy();
  }
}

function queryError(e: unknown, source: string, connection: string): EwsError {
  const message = withoutValues((e as Error).message);
  return lostConnection(e)
    ? new EwsError('EWS_SOURCE_UNAVAILABLE', `${source}: the connection to ${connection} was lost during the query: ${message}`, { cause: e })
    : new EwsError('EWS_BAD_QUERY', `${source}: the query on ${connection} failed: ${message}`, { cause: e });
}
