import { existsSync } from 'node:fs';
import { cp, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/queue/connection.js';
import { enqueueRun, waitForRun } from '../../src/queue/run-on-queue.js';
import { jobId, QUEUES } from '../../src/queue/queues.js';
import { startWorkers } from '../../src/queue/workers.js';
import { parseDay } from '../../src/dates/index.js';
import { generateDistrict } from '../../src/generate/index.js';
import { currentModelId, modelsDir } from '../../src/model/index.js';
import { planRun, runInProcess, runKey, type RunSpec } from '../../src/pipeline/index.js';
import { pullFolder } from '../../src/sources/index.js';
import { freshDb, POSTGRES_URL } from '../helpers/databases.js';
import { tempDir } from '../helpers/folder.js';
import { clearPrefix, testPrefix } from '../helpers/redis.js';

const SAMPLE = join(import.meta.dirname, '..', '..', 'data', 'sample');
const AS_OF = parseDay('2026-06-01');

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name).slice(dir.length + 1));
  return out.sort();
}

describe('the weekly run on BullMQ', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  const prefix = testPrefix('flow');

  /** A run through BullMQ with workers in this process, to its summary. */
  const runOnQueue = async (spec: RunSpec) => {
    const workers = startWorkers({ prefix, backoffMs: 100 });
    try {
      await enqueueRun(spec, { prefix });
      await waitForRun(spec, { prefix, timeoutMs: 120_000 });
    } finally {
      await workers.close();
    }
  };

  beforeAll(async () => {
    t = await tempDir();
  });
  afterAll(async () => {
    await clearPrefix(prefix);
    await t.cleanup();
  });

  describe('when the sample runs as a flow', () => {
    let queued: RunSpec;
    let local: RunSpec;

    beforeAll(async () => {
      queued = await planRun({ data: SAMPLE, out: join(t.dir, 'queued'), asOf: AS_OF });
      local = { ...queued, out: join(t.dir, 'local') };
      await runOnQueue(queued);
      await runInProcess(local);
    });

    it('should write scores, lists, summary and rejects', async () => {
      const summary = JSON.parse(await readFile(join(queued.out, 'summary.json'), 'utf8'));
      expect(summary.mode).toBe('bullmq');
      expect(summary.students_scored).toBeGreaterThan(1500);
      expect(summary.tiers.high).toBeGreaterThan(0);
      expect(summary.lists.head_teacher).toBe(45);
      const scores = (await readFile(join(queued.out, 'scores.csv'), 'utf8')).trim().split('\n');
      expect(scores[0]).toBe('student_id,school_id,class_id,as_of,risk,rank_in_class,rank_in_school,tier,reasons');
      expect(scores).toHaveLength(summary.students_scored + 1);
    });

    it('should give the same outputs as the in-process run', async () => {
      const a = (await files(queued.out)).filter((f) => !f.startsWith('.work') && f !== 'summary.json');
      const b = (await files(local.out)).filter((f) => !f.startsWith('.work') && f !== 'summary.json');
      expect(a).toEqual(b);
      for (const f of a) expect(await readFile(join(queued.out, f)), f).toEqual(await readFile(join(local.out, f)));
    });

    it('should keep only counts in Redis, never tables, matrices or rows', async () => {
      const c = connect();
      try {
        const sizes: Record<string, number> = {};
        for (const name of Object.values(QUEUES)) {
          const q = new Queue(name, { connection: c, prefix });
          for (const job of await q.getJobs(['completed'])) {
            if (job.id!.startsWith(runKey(queued))) sizes[job.id!] = JSON.stringify(job.returnvalue ?? null).length;
          }
          await q.close();
        }
        expect(Object.keys(sizes).length).toBeGreaterThanOrEqual(12); // 9 sources, merge, 3 per shard, summary
        expect(sizes[jobId.source(runKey(queued), 'attendance')]).toBeGreaterThan(0);
        for (const [id, size] of Object.entries(sizes)) expect(size, id).toBeLessThan(1024);
      } finally {
        c.disconnect();
      }
    });

    it("should keep students' names and guardians' phones out of the work folder the stages share", async () => {
      const phones = (await readFile(join(SAMPLE, 'students.csv'), 'utf8'))
        .split('\n')
        .slice(1, 200)
        .map((l) => l.split(',').at(-1)!)
        .filter(Boolean);
      expect(phones.length).toBeGreaterThan(100);
      const work = (await files(queued.out)).filter((f) => f.startsWith('.work'));
      expect(work.length).toBeGreaterThan(5);
      for (const f of work) {
        const text = (await readFile(join(queued.out, f))).toString('latin1');
        for (const p of phones) expect(text.includes(p), `${f} holds a guardian's phone`).toBe(false);
      }
    });

    it('should replace, not duplicate, when the same run is repeated', async () => {
      const before = await files(queued.out);
      const workers = startWorkers({ prefix });
      try {
        await enqueueRun(queued, { prefix });
        await waitForRun(queued, { prefix, timeoutMs: 120_000 });
      } finally {
        await workers.close();
      }
      expect(await files(queued.out)).toEqual(before);
      const c = connect();
      const lists = new Queue(QUEUES.lists, { connection: c, prefix });
      const jobs = await lists.getJobs(['completed', 'waiting', 'active', 'failed']);
      expect(jobs.filter((j) => j.id!.startsWith(runKey(queued))).map((j) => j.id)).toEqual([jobId.lists(runKey(queued), 0)]);
      await lists.close();
      c.disconnect();
    });
  });

  it("should keep the roll's names and contacts in the store from the roll's job", async () => {
    const { db, cleanup } = await freshDb('postgres');
    try {
      const { rows } = await db.query<{ s: string }>('select current_schema() as s');
      await generateDistrict({ out: join(t.dir, 'named'), students: 300, weeks: 10, seed: 5, names: true });
      const spec = await planRun({
        data: join(t.dir, 'named'),
        out: join(t.dir, 'named-out'),
        asOf: parseDay('2025-11-03'),
        database: `${POSTGRES_URL}?options=-c%20search_path%3D${rows[0].s}`,
      });
      await runOnQueue(spec);
      const kept = await db.query<{ n: string; phones: string }>(`select count(*) as n, count(guardian_phone) as phones from student_contacts`);
      expect(Number(kept.rows[0].n)).toBe(300);
      expect(Number(kept.rows[0].phones)).toBe(300);
    } finally {
      await cleanup();
    }
  });

  describe('when the run reads a kept history', () => {
    it('should score through the queue exactly as in one process from the folder the history was pulled from', async () => {
      const history = join(t.dir, 'history');
      await pullFolder(SAMPLE, { history, seenOn: AS_OF });
      const queued = await planRun({ data: history, out: join(t.dir, 'from-history'), asOf: AS_OF, database: null });
      await runOnQueue(queued);
      const local = await planRun({ data: SAMPLE, out: join(t.dir, 'from-folder'), asOf: AS_OF, database: null });
      await runInProcess(local);
      const scores = async (out: string) => (await readFile(join(out, 'scores.csv'), 'utf8')).trim().split('\n').slice(1).sort();
      const fromFolder = await scores(local.out);
      expect(fromFolder.length).toBeGreaterThan(1500);
      expect(await scores(queued.out)).toEqual(fromFolder);
      const summary = JSON.parse(await readFile(join(queued.out, 'summary.json'), 'utf8'));
      expect(summary.mode).toBe('bullmq');
      expect(summary.files['attendance/']).toMatchObject({ format: 'history', pulls: 1 });
    });
  });

  describe('when a stage fails', () => {
    let spec: RunSpec;
    let models: string;

    beforeAll(async () => {
      await generateDistrict({ out: join(t.dir, 'small'), students: 300, weeks: 12, seed: 4 });
      models = join(t.dir, 'models');
      const id = (await currentModelId())!;
      await cp(join(modelsDir(), id), join(models, id), { recursive: true });
      spec = { ...(await planRun({ data: join(t.dir, 'small'), out: join(t.dir, 'small-out'), asOf: parseDay('2025-11-17') })), modelsDir: models };
    });

    it('should retry it with backoff and then succeed', async () => {
      // A tree model's weights are trees.json, a network's weights.bin.
      const folder = join(models, spec.modelId);
      const weights = join(folder, existsSync(join(folder, 'trees.json')) ? 'trees.json' : 'weights.bin');
      await rename(weights, `${weights}.away`); // the model store is briefly unavailable
      const workers = startWorkers({ prefix, backoffMs: 300 });
      const score = workers.workers.find((w) => w.name === QUEUES.score)!;
      const failures: number[] = [];
      score.on('failed', async (job) => {
        failures.push(job!.attemptsMade);
        await rename(`${weights}.away`, weights); // …and comes back
      });
      try {
        await enqueueRun(spec, { prefix, backoffMs: 300 });
        const summary = await waitForRun(spec, { prefix, timeoutMs: 60_000 });
        expect(summary.students_scored).toBeGreaterThan(200);
      } finally {
        await workers.close();
      }
      expect(failures).toEqual([1]);
      const c = connect();
      const q = new Queue(QUEUES.score, { connection: c, prefix });
      expect((await q.getJob(jobId.score(runKey(spec), 0)))!.attemptsMade).toBe(2);
      await q.close();
      c.disconnect();
    });

    it('should stop at the roll when students.csv breaks the contract, and say why', async () => {
      const data = join(t.dir, 'no-roll');
      await cp(join(t.dir, 'small'), data, { recursive: true });
      const roll = await readFile(join(data, 'students.csv'), 'utf8');
      await writeFile(join(data, 'students.csv'), roll.replace(/^student_id,/, 'pupil,'));
      const broken = { ...spec, data, out: join(t.dir, 'no-roll-out') };
      const workers = startWorkers({ prefix, backoffMs: 100 });
      try {
        await enqueueRun(broken, { prefix });
        await expect(waitForRun(broken, { prefix, timeoutMs: 60_000 })).rejects.toThrow(/reading its data.*student_id/);
      } finally {
        await workers.close();
      }
      const c = connect();
      const q = new Queue(QUEUES.ingest, { connection: c, prefix });
      expect((await q.getJob(jobId.source(runKey(broken), 'students')))!.attemptsMade).toBe(1); // not retried
      expect(await q.getJob(jobId.ingest(runKey(broken)))).toBeUndefined(); // the other sources never started
      await q.close();
      c.disconnect();
    });

    it('should not retry what a retry cannot mend, and say why', async () => {
      const broken = { ...spec, modelId: 'no-such-model', out: join(t.dir, 'broken-out') };
      const workers = startWorkers({ prefix, backoffMs: 100 });
      try {
        await enqueueRun(broken, { prefix });
        await expect(waitForRun(broken, { prefix, timeoutMs: 60_000 })).rejects.toThrow(/no model no-such-model/);
      } finally {
        await workers.close();
      }
      const c = connect();
      const q = new Queue(QUEUES.score, { connection: c, prefix });
      expect((await q.getJob(jobId.score(runKey(broken), 0)))!.attemptsMade).toBe(1);
      await q.close();
      c.disconnect();
    });
  });
});
