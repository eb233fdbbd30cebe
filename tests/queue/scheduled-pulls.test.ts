import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Job, Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay, todayInChina } from '../../src/dates/index.js';
import { connect } from '../../src/queue/connection.js';
import { jobOptions, QUEUES } from '../../src/queue/queues.js';
import { installPulls, listSchedules, removePulls, startPlanWorker } from '../../src/queue/schedule.js';
import { isHistory, pullFailures, readManifest } from '../../src/sources/index.js';
import { BASE_FILES, tempDir } from '../helpers/folder.js';
import { clearPrefix, testPrefix } from '../helpers/redis.js';

/**
 * Pulls on BullMQ's scheduler, ahead of the weekly run: each source of a query config on its own
 * cron; a pull that brings a severe family event runs the same-day check; one that fails is tried
 * again, reported each time, and leaves the history as it was.
 */
describe('scheduled pulls', () => {
  const prefix = testPrefix('pulls');
  let t: Awaited<ReturnType<typeof tempDir>>;
  const saved = process.env.EWS_DB;
  beforeAll(async () => {
    t = await tempDir();
    process.env.EWS_DB = join(t.dir, 'db');
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.EWS_DB;
    else process.env.EWS_DB = saved;
    await clearPrefix(prefix);
    await t.cleanup();
  });

  it('should install one pull per source of a query config, each on its cron, and remove them', async () => {
    const config = join(t.dir, 'sis.json');
    await writeFile(
      config,
      JSON.stringify({
        connections: { a: 'postgres://x@127.0.0.1/y' },
        cron: '0 4 * * *',
        sources: { students: { connection: 'a', query: 'select 1', cron: '0 2 * * 1' }, attendance: { connection: 'a', query: 'select 1' } },
      }),
    );
    const history = join(t.dir, 'h0');
    await installPulls({ history, sql: config, prefix });
    const pulls = (await listSchedules({ prefix })).filter((s) => s.id.startsWith('pull-'));
    expect(pulls.map((s) => [s.id.split('-').at(-1), s.pattern]).sort()).toEqual([
      ['attendance', '0 4 * * *'],
      ['students', '0 2 * * 1'],
    ]);
    expect(pulls[0].data).toMatchObject({ history, from: { sql: config } });
    expect(await removePulls(history, config, { prefix })).toBe(2);
    expect((await listSchedules({ prefix })).filter((s) => s.id.startsWith('pull-'))).toEqual([]);
  });

  it('should pull on the worker, run the same-day check on what the pull brought, and report a failing pull at every try', async () => {
    const drop = join(t.dir, 'drop');
    await mkdir(drop);
    const today = formatDay(todayInChina());
    for (const [name, text] of Object.entries(BASE_FILES)) await writeFile(join(drop, name), text);
    await writeFile(join(drop, 'family_events.csv'), `student_id,date,event,severity\nA1,${today},parent_death,3\n`);
    const history = join(t.dir, 'h');
    const connection = connect();
    const queue = new Queue(QUEUES.plan, { connection, prefix });
    const events = new QueueEvents(QUEUES.plan, { connection: connect(), prefix });
    const worker = startPlanWorker({ prefix });
    try {
      await events.waitUntilReady();
      const ok = await queue.add('pull', { from: { data: drop }, history }, jobOptions({ attempts: 1 }));
      const result = await ok.waitUntilFinished(events, 60_000);
      expect(result.pull.totals).toMatchObject({ new: 6, refused: 0 });
      // The same-day check follows as a job of its own, as of the pull's day.
      const acute = await Job.fromId(queue, result.acute_job);
      expect(await acute!.waitUntilFinished(events, 60_000)).toMatchObject({ as_of: today, severe_event: 1, opened: 1 });
      expect(readManifest(history).pulls).toHaveLength(1);

      // A server that does not answer: tried twice, reported twice, the second time as the last.
      const down = join(t.dir, 'down.json');
      await writeFile(
        down,
        JSON.stringify({ connections: { a: 'postgres://nobody@127.0.0.1:1/x' }, sources: { attendance: { connection: 'a', query: 'select 1' } } }),
      );
      const failing = await queue.add('pull', { from: { sql: down }, history }, jobOptions({ attempts: 2, backoffMs: 50 }));
      await expect(failing.waitUntilFinished(events, 60_000)).rejects.toThrow(/could not be opened/);
      const failures = pullFailures(history);
      expect(failures.map((f) => [f.code, f.attempt, f.final])).toEqual([
        ['EWS_SOURCE_UNAVAILABLE', 1, false],
        ['EWS_SOURCE_UNAVAILABLE', 2, true],
      ]);
      // A folder that is not there cannot come right by waiting: one try, reported as the last.
      const gone = await queue.add('pull', { from: { data: join(t.dir, 'nowhere') }, history }, jobOptions({ attempts: 3, backoffMs: 50 }));
      await expect(gone.waitUntilFinished(events, 60_000)).rejects.toThrow(/does not exist/);
      expect(pullFailures(history).at(-1)).toMatchObject({ code: 'EWS_MISSING_FILE', attempt: 1, final: true });
      expect(readManifest(history).pulls).toHaveLength(1);
      expect(isHistory(history)).toBe(true);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
      connection.disconnect();
    }
  }, 120_000);
});
