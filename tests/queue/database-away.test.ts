import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueRun, waitForRun } from '../../src/queue/run-on-queue.js';
import { QUEUES } from '../../src/queue/queues.js';
import { startWorkers } from '../../src/queue/workers.js';
import { parseDay } from '../../src/dates/index.js';
import { generateDistrict } from '../../src/generate/index.js';
import { planRun } from '../../src/pipeline/index.js';
import type { Db } from '../../src/store/index.js';
import { freshDb, POSTGRES_URL } from '../helpers/databases.js';
import { tempDir } from '../helpers/folder.js';
import { clearPrefix, testPrefix } from '../helpers/redis.js';

/** A TCP door to the real PostgreSQL that the test opens and shuts: the database "goes away". */
async function door(target: { host: string; port: number }) {
  let open = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (!open) return client.destroy();
    const upstream = tcpConnect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    open: () => void (open = true),
    shut: () => {
      open = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('when the database is away for a while', () => {
  const prefix = testPrefix('db-away');
  let t: Awaited<ReturnType<typeof tempDir>>;
  let db: Db;
  let cleanup: () => Promise<void>;
  let d: Awaited<ReturnType<typeof door>>;
  let schemaUrl: string;

  beforeAll(async () => {
    t = await tempDir();
    ({ db, cleanup } = await freshDb('postgres'));
    const { rows } = await db.query<{ s: string }>('select current_schema() as s');
    const u = new URL(POSTGRES_URL);
    d = await door({ host: u.hostname, port: Number(u.port || 5432) });
    u.port = String(d.port);
    schemaUrl = `${u.toString()}?options=-c%20search_path%3D${rows[0].s}`;
    await generateDistrict({ out: join(t.dir, 'data'), students: 1500, weeks: 12, seed: 12 });
  });
  afterAll(async () => {
    await d.close();
    await clearPrefix(prefix);
    await cleanup();
    await t.cleanup();
  });

  it('should retry the stage that writes to it and lose nothing once it is back', async () => {
    const spec = await planRun({ data: join(t.dir, 'data'), out: join(t.dir, 'out'), asOf: parseDay('2025-11-17'), database: schemaUrl });
    const workers = startWorkers({ prefix, backoffMs: 400 });
    const run = workers.workers.find((w) => w.name === QUEUES.run)!;
    const failures: number[] = [];
    run.on('failed', (job) => {
      failures.push(job!.attemptsMade);
      d.open(); // the database comes back after the first failure
    });
    try {
      await enqueueRun(spec, { prefix, backoffMs: 400 });
      const summary = await waitForRun(spec, { prefix, timeoutMs: 120_000 });
      expect(failures).toEqual([1]);
      const { rows } = await db.query<{ n: string }>('select count(*) as n from scores');
      expect(Number(rows[0].n)).toBe(summary.students_scored);
      const alerts = await db.query<{ n: string }>(`select count(*) as n from alerts where cause = 'weekly_list'`);
      expect(Number(alerts.rows[0].n)).toBe(summary.tiers.high);
    } finally {
      await workers.close();
    }
  }, 180_000);
});
