import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay } from '../../src/dates/index.js';
import { ContractError } from '../../src/errors/index.js';
import { generateDistrict } from '../../src/generate/index.js';
import { loadDistrict, type LoadOptions } from '../../src/sources/index.js';
import { damage } from '../helpers/damage.js';
import { tempDir } from '../helpers/folder.js';

/**
 * Big folders are read on several threads at once, each file whole on one of them. Whatever
 * thread read what, the tables, the reports and the rejects (and their order) must be those of a
 * read on one thread, and a failure must look the same.
 */
const TODAY = parseDay('2026-11-25');
const CORPUS = join(import.meta.dirname, '..', 'corpus', 'messy-school');
const CRASHING = new URL('../fixtures/crashing-thread.js', import.meta.url);

const read = (dir: string, extra: LoadOptions) => loadDistrict(dir, { today: TODAY, ...extra });

describe('reading a folder on several threads', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await generateDistrict({ out: dir, students: 300, weeks: 4, seed: 12, quizzes: true });
    for (const [k, file] of ['attendance.csv', 'grades.csv', 'meal_card.csv', 'subsidies.csv'].entries()) {
      expect(await damage(join(dir, file), 200 + k)).toBeGreaterThan(5);
    }
  });
  afterAll(() => cleanup());

  it('should give what one thread gives, on a damaged district and on the bad-input corpus', async () => {
    for (const folder of [dir, CORPUS]) {
      const one = await read(folder, { threads: 0 });
      const three = await read(folder, { threads: 2 });
      expect([one.report.threads, three.report.threads]).toEqual([0, 2]);
      expect(three.report.rejects.length).toBeGreaterThan(folder === dir ? 300 : 10);
      expect(three.report.rejects).toEqual(one.report.rejects);
      expect(Object.keys(three.report.files)).toEqual(Object.keys(one.report.files));
      expect(three.report.files).toEqual(one.report.files);
      expect(three.district).toEqual(one.district);
    }
  });

  it('should report progress up to every byte of the folder', async () => {
    const seen: number[] = [];
    let total = 0;
    await read(dir, { threads: 1, chunkBytes: 4096, onProgress: (b, t) => (seen.push(b), (total = t)) });
    expect(seen.at(-1)).toBe(total);
    expect(seen.length).toBeGreaterThan(3);
  });

  it('should fail as one thread fails, at the first file that breaks the contract', async () => {
    const t = await tempDir();
    try {
      for (const f of ['students.csv', 'attendance.csv', 'family_events.csv', 'subsidies.csv', 'meal_card.csv']) await copyFile(join(dir, f), join(t.dir, f));
      const grades = (await readFile(join(dir, 'grades.csv'), 'utf8')).replace(/^student_id,/, 'pupil,');
      await writeFile(join(t.dir, 'grades.csv'), grades);
      const one = await read(t.dir, { threads: 0 }).catch((e: unknown) => e);
      const two = await read(t.dir, { threads: 1 }).catch((e: unknown) => e);
      expect(one).toBeInstanceOf(ContractError);
      expect(two).toBeInstanceOf(ContractError);
      expect({ ...(two as ContractError), message: (two as Error).message }).toEqual({ ...(one as ContractError), message: (one as Error).message });
      expect((two as ContractError).file).toBe('grades.csv');
    } finally {
      await t.cleanup();
    }
  });

  it('should read a file in this thread when the thread reading it dies', async () => {
    const one = await read(dir, { threads: 0 });
    const crashed = await read(dir, { threads: 1, readerScript: CRASHING });
    expect(crashed.report.threads).toBe(0);
    expect(crashed.report.rejects).toEqual(one.report.rejects);
    expect(crashed.report.files).toEqual(one.report.files);
    expect(crashed.district).toEqual(one.district);
  });
});
