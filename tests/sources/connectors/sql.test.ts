import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay, parseDay } from '../../../src/dates/index.js';
import { loadDistrict, pullFrom, readManifest } from '../../../src/sources/index.js';
import { POSTGRES_URL } from '../../helpers/databases.js';
import { FAR_TODAY, tempDir } from '../../helpers/folder.js';

/** The MariaDB/MySQL server the tests use: TEST_MYSQL_URL, else the local one (root, no password). */
const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/**
 * A school system's own databases, queried per source: the 学籍 system on PostgreSQL, attendance on
 * MariaDB, each with its own column names; `:since` makes the second pull a delta.
 */
describe('pulling from school systems over SQL', () => {
  const tag = `ews_${randomBytes(4).toString('hex')}`;
  let t: Awaited<ReturnType<typeof tempDir>>;
  let pgc: pg.Client;
  let my: mysql.Connection;

  beforeAll(async () => {
    t = await tempDir();
    pgc = new pg.Client({ connectionString: POSTGRES_URL });
    await pgc.connect();
    await pgc.query(`create schema ${tag}`);
    await pgc.query(`create table ${tag}.xj (xh text, xx text, bj text, nj int, lsh boolean)`);
    await pgc.query(`insert into ${tag}.xj values ('A1','S1','7-1',7,true), ('B2','S1','7-1',7,false)`);
    await pgc.query(`create table ${tag}.cj (xh text, ksrq date, xq text, km text, lx text, fs numeric, mf numeric, gxrq date)`);
    await pgc.query(`insert into ${tag}.cj values ('A1','2025-09-26','2025-2026-1','数学','monthly',61.5,120,'2025-09-27')`);
    my = await mysql.createConnection({ uri: MYSQL_URL });
    await my.query(`create table ${tag}_kq (xh varchar(32), rq date, zt varchar(20), gxrq date)`);
    await my.query(
      `insert into ${tag}_kq values ('A1','2025-09-01','absent_unexcused','2025-09-01'), ('B2','2025-09-01','present','2025-09-01'), ('ZZ','2025-09-01','present','2025-09-01')`,
    );
  });
  afterAll(async () => {
    await pgc.query(`drop schema ${tag} cascade`);
    await pgc.end();
    await my.query(`drop table if exists ${tag}_kq`);
    await my.end();
    await t.cleanup();
  });

  const config = async (name: string, extra: Record<string, unknown> = {}) => {
    const path = join(t.dir, name);
    await writeFile(
      path,
      JSON.stringify({
        // The attendance server's url from the environment, as a password would be: `${VAR}`.
        connections: { xueji: POSTGRES_URL, kaoqin: `$\{EWS_TEST_KQ_URL}` },
        sources: {
          students: {
            connection: 'xueji',
            query: `select xh as student_id, xx as school_id, bj as class_id, nj as grade_level, lsh as left_behind from ${tag}.xj`,
          },
          grades: {
            connection: 'xueji',
            query: `select xh as student_id, ksrq as date, xq as term, km as subject, lx as exam, fs as score, mf as full_score from ${tag}.cj where gxrq > :since`,
          },
          attendance: { connection: 'kaoqin', query: `select xh as student_id, rq as date, zt as status from ${tag}_kq where gxrq > :since` },
        },
        ...extra,
      }),
    );
    return path;
  };

  it('should pull each source from its own server, refuse what breaks the contract, and take only what is new the next time', async () => {
    process.env.EWS_TEST_KQ_URL = MYSQL_URL;
    const history = join(t.dir, 'h');
    const sql = await config('sis.json');
    const first = await pullFrom({ sql }, { history, seenOn: parseDay('2025-09-01'), today: FAR_TODAY });
    expect(first.sources.students).toMatchObject({ new: 2 });
    expect(first.sources.attendance).toMatchObject({ read: 2, new: 2, refused: 1 });
    expect(first.sources.grades).toMatchObject({ new: 1 });
    expect(readManifest(history).pulls[0].from).toBe('sql:sis.json');

    // A week later: a new day of attendance, and a grade corrected (its update day moves on).
    await my.query(`insert into ${tag}_kq values ('A1','2025-09-08','present','2025-09-08')`);
    await pgc.query(`update ${tag}.cj set fs = 66, gxrq = '2025-09-10'`);
    const second = await pullFrom({ sql }, { history, seenOn: parseDay('2025-09-08'), today: FAR_TODAY });
    // The first pull refused ZZ (not on the roll): its day's rows are asked for again, for a week.
    expect(second.sources.attendance).toEqual({ read: 3, new: 1, changed: 0, unchanged: 2, refused: 1 });
    expect(second.sources.grades).toMatchObject({ read: 1, changed: 1 });
    expect(second.sources.students).toMatchObject({ unchanged: 2 });

    const { district } = await loadDistrict(history, { partial: true });
    expect(Array.from(district.grades.float64('score'))).toEqual([66]);
    expect(Array.from(district.students.int8('left_behind'))).toEqual([1, 0]);
    expect(Array.from(district.attendance.int32('date'), formatDay).sort()).toEqual(['2025-09-01', '2025-09-01', '2025-09-08']);
    const before = (await loadDistrict(history, { partial: true, knownOn: parseDay('2025-09-05') })).district;
    expect(Array.from(before.grades.float64('score'))).toEqual([61.5]);
  });

  it('should stop with a clear error, and leave the history as it was, when a server is down or a query fails', async () => {
    const history = join(t.dir, 'h2');
    process.env.EWS_TEST_KQ_URL = 'mysql://root@127.0.0.1:1/test';
    await expect(pullFrom({ sql: await config('down.json') }, { history, today: FAR_TODAY })).rejects.toMatchObject({
      code: 'EWS_SOURCE_UNAVAILABLE',
      message: expect.stringMatching(/^attendance: connection kaoqin \(mysql:\/\/\*\*\*@127\.0\.0\.1:1\/test\) could not be opened/),
    });
    expect(existsSync(join(history, 'history.json'))).toBe(false);
    process.env.EWS_TEST_KQ_URL = MYSQL_URL;
    const broken = await config('broken.json');
    await writeFile(broken, (await readFile(broken, 'utf8')).replace(`from ${tag}_kq`, `from ${tag}_nothing`));
    await expect(pullFrom({ sql: broken }, { history, today: FAR_TODAY })).rejects.toMatchObject({ code: 'EWS_BAD_QUERY' });
    expect(existsSync(join(history, 'history.json'))).toBe(false);
    delete process.env.EWS_TEST_KQ_URL;
    await expect(pullFrom({ sql: broken }, { history, today: FAR_TODAY })).rejects.toThrow(/connection kaoqin uses \$\{EWS_TEST_KQ_URL\}, which is not set/);
    await writeFile(join(t.dir, 'bad.json'), JSON.stringify({ connections: {}, sources: { attendance: { connection: 'nowhere', query: 'select 1' } } }));
    await expect(pullFrom({ sql: join(t.dir, 'bad.json') }, { history, today: FAR_TODAY })).rejects.toThrow(/every source must name one of the connections/);
  });
});
