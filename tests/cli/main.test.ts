import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { makeFolder, tempDir } from '../helpers/folder.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ews.js');
const SAMPLE = join(import.meta.dirname, '..', '..', 'data', 'sample');

async function ews(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, EWS_LOG_LEVEL: 'warn' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('the ews command', () => {
  it('validates a folder, writes rejects.csv and summary.json, and exits 0', async () => {
    const data = await makeFolder({ 'attendance.csv': 'student_id,date,status\nA1,2025-09-01,present\nA1,2025-09-02,gone\n' });
    const out = await tempDir();
    cleanups.push(data.cleanup, out.cleanup);
    const r = await ews('validate', '--data', data.dir, '--out', out.dir);
    expect(r.code).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ students: 2, rows_rejected: 1 });
    const summary = JSON.parse(await readFile(join(out.dir, 'summary.json'), 'utf8'));
    expect(summary.files['attendance.csv']).toMatchObject({ rows_read: 2, rows_rejected: 1 });
    expect(summary.files['wellbeing.csv']).toBeUndefined();
    const rejects = (await readFile(join(out.dir, 'rejects.csv'), 'utf8')).trim().split('\n');
    expect(rejects[0]).toBe('file,line,column,value,reason');
    expect(rejects[1]).toMatch(/^attendance\.csv,3,status,gone,"not one of present, late/);
  });

  it('exits 1 with one line naming a missing file', async () => {
    const data = await makeFolder({ 'subsidies.csv': null });
    const out = await tempDir();
    cleanups.push(data.cleanup, out.cleanup);
    const r = await ews('validate', '--data', data.dir, '--out', out.dir);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ews: .*lacks required file subsidies\.csv/)]);
  });

  it('generates a district laid out as schools export it', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const r = await ews('generate', '--out', t.dir, '--students', '60', '--weeks', '2', '--by-date', '--long-ids', '--crlf');
    expect(r.code, r.stderr).toBe(0);
    const rows = (await readFile(join(t.dir, 'attendance.csv'), 'utf8')).split('\r\n').filter(Boolean).slice(1);
    expect(rows.length).toBeGreaterThan(60 * 9);
    expect(rows.every((l) => l.split(',')[0].length === 17)).toBe(true);
    const dates = rows.map((l) => l.split(',')[1]);
    expect(dates).toEqual([...dates].sort());
  });

  it('exits 2 on a usage error', async () => {
    expect((await ews('validate', '--data', 'x')).code).toBe(2);
    expect((await ews('no-such-verb')).code).toBe(2);
  });

  // Fourteen processes, each loading the whole CLI: two at a time, and time enough for a busy CI machine.
  it('shows help for every verb', { timeout: 300_000 }, async () => {
    const verbs = [
      'validate',
      'generate',
      'pull',
      'pulls',
      'run',
      'train',
      'evaluate',
      'models',
      'promote',
      'rollback',
      'audit',
      'acute',
      'deliveries',
      'worker',
      'schedule',
      'serve',
    ];
    for (let i = 0; i < verbs.length; i += 2) {
      const pair = verbs.slice(i, i + 2);
      const results = await Promise.all(pair.map((verb) => ews(verb, '--help')));
      results.forEach((r, k) => {
        expect(r.code, pair[k]).toBe(0);
        expect(r.stdout, pair[k]).toMatch(new RegExp(`Usage: ews ${pair[k]}`));
      });
    }
  });

  it('says in one line, without the password, that the system of record cannot be opened, and exits', async () => {
    const saved = { url: process.env.DATABASE_URL, db: process.env.EWS_DB };
    // A closed port on this machine: nothing listens there. A password in the address and in a parameter.
    process.env.DATABASE_URL = 'postgres://ews:hunter2@127.0.0.1:1/test?sslpassword=hunter3';
    try {
      const out = await tempDir();
      cleanups.push(out.cleanup);
      const r = await ews('run', '--data', SAMPLE, '--as-of', '2026-06-01', '--out', out.dir);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^ews: the system of record \(postgres:\/\/ews@127\.0\.0\.1:1\/test\) could not be opened: .*ECONNREFUSED/),
      ]);
      expect(r.stderr).not.toMatch(/hunter/);
      // An embedded store that cannot be opened (its folder is a file) says so, and the command exits.
      delete process.env.DATABASE_URL;
      const file = join(out.dir, 'not-a-folder');
      await writeFile(file, 'x');
      process.env.EWS_DB = file;
      const lite = await ews('run', '--data', SAMPLE, '--as-of', '2026-06-01', '--out', join(out.dir, 'o'));
      expect(lite.code).toBe(1);
      expect(lite.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^ews: the system of record \(the embedded store at .*not-a-folder\) could not be opened/),
      ]);
    } finally {
      if (saved.url === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved.url;
      if (saved.db === undefined) delete process.env.EWS_DB;
      else process.env.EWS_DB = saved.db;
    }
  });

  it('runs with no system of record when asked, and opens none', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    await ews('generate', '--out', join(t.dir, 'd'), '--students', '120', '--weeks', '6', '--seed', '3');
    const db = join(t.dir, 'db');
    const saved = { db: process.env.EWS_DB, url: process.env.DATABASE_URL };
    process.env.EWS_DB = db;
    delete process.env.DATABASE_URL;
    try {
      const r = await ews('run', '--data', join(t.dir, 'd'), '--as-of', '2025-10-13', '--out', join(t.dir, 'o'), '--no-record');
      expect(r.code).toBe(0);
      const summary = JSON.parse(await readFile(join(t.dir, 'o', 'summary.json'), 'utf8'));
      expect(summary.students_scored).toBeGreaterThan(100);
      expect(summary.record).toBeUndefined();
      expect(existsSync(db)).toBe(false);
      // Without the flag, the same run keeps its record in EWS_DB.
      const kept = await ews('run', '--data', join(t.dir, 'd'), '--as-of', '2025-10-13', '--out', join(t.dir, 'o2'));
      expect(kept.code).toBe(0);
      const recorded = JSON.parse(await readFile(join(t.dir, 'o2', 'summary.json'), 'utf8'));
      expect(recorded.students_scored).toBe(summary.students_scored);
      expect(recorded.record.alerts_opened).toBe(recorded.tiers.high);
      expect(existsSync(db)).toBe(true);
      // The store opens while the files are read: a run whose data breaks the contract still closes it, and exits.
      await cp(join(t.dir, 'd'), join(t.dir, 'broken'), { recursive: true });
      await rm(join(t.dir, 'broken', 'subsidies.csv'));
      const broken = await ews('run', '--data', join(t.dir, 'broken'), '--as-of', '2025-10-13', '--out', join(t.dir, 'o3'));
      expect(broken.code).toBe(1);
      expect(broken.stderr.trim().split('\n')).toEqual([expect.stringMatching(/lacks required file subsidies\.csv/)]);
    } finally {
      if (saved.db === undefined) delete process.env.EWS_DB;
      else process.env.EWS_DB = saved.db;
      if (saved.url !== undefined) process.env.DATABASE_URL = saved.url;
    }
  });

  it('judges the weeks the store kept against what then happened, and keeps the result for the analyst page', { timeout: 120_000 }, async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const db = join(t.dir, 'db');
    const saved = { db: process.env.EWS_DB, url: process.env.DATABASE_URL };
    process.env.EWS_DB = db;
    delete process.env.DATABASE_URL;
    try {
      const weeks = ['2026-03-30', '2026-04-06', '2026-06-01'];
      for (const w of weeks) expect((await ews('run', '--data', SAMPLE, '--as-of', w, '--out', join(t.dir, w), '--via', 'in-process')).code).toBe(0);
      const r = await ews('evaluate', '--live', '--data', SAMPLE, '--horizon-days', '56', '--record');
      expect(r.code, r.stderr).toBe(0);
      const live = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
      // The sample's rows end in early July: the June week's horizon has not closed.
      expect(live.pending).toEqual(['2026-06-01']);
      expect(live.weeks.map((w: { as_of: string }) => w.as_of)).toEqual(weeks.slice(0, 2));
      for (const w of live.weeks) {
        // The list judged is the one the run wrote: its high tier, student for student.
        const rows = (await readFile(join(t.dir, w.as_of, 'scores.csv'), 'utf8')).trim().split('\n').slice(1);
        expect(w.n).toBe(rows.length);
        expect(w.model.listed).toBe(rows.filter((l) => l.split(',')[7] === 'high').length);
        expect(w.model.found).toBeLessThanOrEqual(Math.min(w.model.listed, w.dropouts));
        expect(w.rules.unexcused_streak.listed).toBe(w.model.listed);
      }
      expect(live.overall.dropouts).toBeGreaterThan(0);
      expect(live.fairness.groups.length).toBeGreaterThan(0);
      const { openDb } = await import('../../src/store/index.js');
      const store = await openDb();
      try {
        const kept = await store.query<{ n: number }>('select count(*)::int as n from live_evaluations');
        expect(kept.rows[0].n).toBe(1);
      } finally {
        await store.close();
      }
      // Without --live it still needs a model and a date.
      const bare = await ews('evaluate', '--data', SAMPLE, '--horizon-days', '56');
      expect(bare.code).toBe(1);
      expect(bare.stderr).toMatch(/needs --model and --as-of, or --live/);
    } finally {
      if (saved.db === undefined) delete process.env.EWS_DB;
      else process.env.EWS_DB = saved.db;
      if (saved.url !== undefined) process.env.DATABASE_URL = saved.url;
    }
  });

  it('pulls weekly exports into the history EWS_HISTORY names, and runs from it with no --data', async () => {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    await ews('generate', '--out', join(t.dir, 'd'), '--students', '120', '--weeks', '3', '--seed', '3', '--weekly');
    const saved = process.env.EWS_HISTORY;
    process.env.EWS_HISTORY = join(t.dir, 'kept');
    try {
      for (const week of ['2025-09-07', '2025-09-14']) {
        const r = await ews('pull', '--data', join(t.dir, 'd', 'weeks', week), '--seen-on', week);
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(/^pull \d into .*kept: \d+ new, 0 changed, \d+ unchanged, 0 refused rows$/m);
        expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ seen_on: week, totals: { refused: 0 } });
      }
      const listed = await ews('pulls');
      expect(listed.code).toBe(0);
      const kept = JSON.parse(listed.stdout.trim().split('\n').at(-1)!);
      expect(kept.pulls.map((p: { seq: number; seen_on: string }) => [p.seq, p.seen_on])).toEqual([
        [1, '2025-09-07'],
        [2, '2025-09-14'],
      ]);
      expect(kept.failures).toEqual([]);
      expect(listed.stdout).toMatch(/^2 {2}\S+ {2}seen 2025-09-14 {2}\S+ {2}\d+ new, 0 changed, \d+ unchanged, 0 refused$/m);
      const r = await ews('run', '--as-of', '2025-09-15', '--out', join(t.dir, 'o'), '--no-record');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!).students_scored).toBeGreaterThan(100);
      const both = await ews('run', '--data', join(t.dir, 'd'), '--history', join(t.dir, 'kept'), '--as-of', '2025-09-15', '--out', join(t.dir, 'o2'));
      expect(both.code).toBe(1);
      expect(both.stderr).toMatch(/give --data or --history, not both/);
    } finally {
      if (saved === undefined) delete process.env.EWS_HISTORY;
      else process.env.EWS_HISTORY = saved;
    }
  });

  it('generates a district that it then validates with no rejects', async () => {
    const out = await tempDir();
    cleanups.push(out.cleanup);
    const gen = await ews('generate', '--out', join(out.dir, 'd'), '--students', '120', '--weeks', '4', '--seed', '3');
    expect(gen.code).toBe(0);
    expect(JSON.parse(gen.stdout.trim().split('\n').at(-1)!)).toMatchObject({ students: 120 });
    const val = await ews('validate', '--data', join(out.dir, 'd'), '--out', join(out.dir, 'v'));
    expect(val.code).toBe(0);
    expect(JSON.parse(val.stdout.trim().split('\n').at(-1)!)).toMatchObject({ students: 120, rows_rejected: 0 });
  });

  it('accepts a forced encoding and refuses an unknown one', async () => {
    const data = await makeFolder();
    cleanups.push(data.cleanup);
    const forced = await ews('validate', '--data', data.dir, '--out', join(data.dir, 'o'), '--encoding', 'gbk');
    expect(forced.code, forced.stderr).toBe(0);
    expect((await ews('validate', '--data', data.dir, '--out', join(data.dir, 'o'), '--encoding', 'klingon')).code).toBe(2);
  });
});
