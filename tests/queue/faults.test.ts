import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/queue/connection.js';
import { QUEUES } from '../../src/queue/queues.js';
import { enqueueRun, waitForRun } from '../../src/queue/run-on-queue.js';
import { parseDay } from '../../src/dates/index.js';
import { generateDistrict } from '../../src/generate/index.js';
import { planRun, runInProcess, type RunSpec } from '../../src/pipeline/index.js';
import { tempDir } from '../helpers/folder.js';
import { clearPrefix, testPrefix } from '../helpers/redis.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ews.js');

async function digest(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.parentPath.includes('.work') || e.name === 'summary.json') continue;
    const f = join(e.parentPath, e.name);
    out[f.slice(dir.length)] = createHash('sha256')
      .update(await readFile(f))
      .digest('hex');
  }
  return out;
}

describe('when a worker is killed in the middle of a stage', () => {
  const prefix = testPrefix('faults');
  let t: Awaited<ReturnType<typeof tempDir>>;
  let spec: RunSpec;
  const children: ChildProcess[] = [];
  const worker = () => {
    const p = spawn(process.execPath, [BIN, 'worker', '--prefix', prefix, '--lock-ms', '1500', '--stages', 'ingest,features,score,lists,run'], {
      stdio: 'ignore',
      env: { ...process.env, EWS_LOG_FILE: '' },
    });
    children.push(p);
    return p;
  };

  beforeAll(async () => {
    t = await tempDir();
    await generateDistrict({ out: join(t.dir, 'data'), students: 20_000, weeks: 10, seed: 8 });
    spec = await planRun({ data: join(t.dir, 'data'), out: join(t.dir, 'queued'), asOf: parseDay('2025-11-10'), database: null, shardStudents: 5000 });
    await runInProcess({ ...spec, out: join(t.dir, 'local') });
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await clearPrefix(prefix);
    await t.cleanup();
  });

  it('should have another worker take the job over and finish the run, complete and not doubled', async () => {
    const first = worker();
    await enqueueRun(spec, { prefix });
    // Wait until the first worker is inside a features job, then kill it without warning.
    const c = connect();
    const features = new Queue(QUEUES.features, { connection: c, prefix });
    const deadline = Date.now() + 60_000;
    let killedIn: string | undefined;
    while (!killedIn && Date.now() < deadline) {
      const active = await features.getActive();
      if (active.length > 0) {
        killedIn = active[0].id;
        first.kill('SIGKILL');
      } else await new Promise((r) => setTimeout(r, 20));
    }
    expect(killedIn).toBeDefined();
    worker();
    await waitForRun(spec, { prefix, timeoutMs: 120_000 });
    const job = await features.getJob(killedIn!);
    expect(await job!.getState()).toBe('completed');
    await features.close();
    c.disconnect();
    expect(await digest(spec.out)).toEqual(await digest(join(t.dir, 'local')));
  }, 240_000);
});

describe('when Redis restarts in the middle of a run', () => {
  const prefix = testPrefix('redis-restart');
  const port = 6390 + (process.pid % 50);
  const url = `redis://127.0.0.1:${port}`;
  let t: Awaited<ReturnType<typeof tempDir>>;
  let spec: RunSpec;
  let redis: ChildProcess | undefined;
  const children: ChildProcess[] = [];
  // A Redis of the test's own, keeping its data on disk (append-only), so a restart loses no job.
  const startRedis = async () => {
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', t.dir],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i++) {
      const c = connect(url);
      c.on('error', () => {});
      const ok = await c.ping().then(
        () => true,
        () => false,
      );
      c.disconnect();
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the test Redis did not start');
  };

  beforeAll(async () => {
    t = await tempDir();
    await generateDistrict({ out: join(t.dir, 'data'), students: 20_000, weeks: 10, seed: 9 });
    spec = await planRun({ data: join(t.dir, 'data'), out: join(t.dir, 'queued'), asOf: parseDay('2025-11-10'), database: null, shardStudents: 5000 });
    await runInProcess({ ...spec, out: join(t.dir, 'local') });
    await startRedis();
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    redis?.kill('SIGKILL');
    await t.cleanup();
  });

  it('should complete the run once Redis is back, with the same outputs', async () => {
    children.push(
      spawn(process.execPath, [BIN, 'worker', '--prefix', prefix, '--lock-ms', '1500', '--stages', 'ingest,features,score,lists,run'], {
        stdio: 'ignore',
        env: { ...process.env, REDIS_URL: url, EWS_LOG_FILE: '' },
      }),
    );
    await enqueueRun(spec, { prefix, url });
    const c = connect(url);
    c.on('error', () => {});
    const features = new Queue(QUEUES.features, { connection: c, prefix });
    for (let i = 0; i < 3000 && (await features.getActiveCount()) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await features.close();
    c.disconnect();
    redis!.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    await startRedis();
    await waitForRun(spec, { prefix, url, timeoutMs: 120_000 });
    expect(await digest(spec.out)).toEqual(await digest(join(t.dir, 'local')));
  }, 240_000);
});
