import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay } from '../../src/dates/index.js';
import { FolderHandoff, MemoryHandoff, planRun, runInProcess, type Handoff } from '../../src/pipeline/index.js';
import { tempDir } from '../helpers/folder.js';

const SAMPLE = join(import.meta.dirname, '..', '..', 'data', 'sample');

/** Every part a stage hands on, as plain data, to compare one hand-off with another. */
async function parts(h: Handoff) {
  const ingest = await h.ingest();
  const shards = await Promise.all(
    ingest.shards.map(async (_, k) => ({
      lines: await h.lines(k),
      drift: await h.drift(k),
      lists: (await h.lists(k)).map((l) => ({ ...l, csv: '', html: '' })),
    })),
  );
  const students = await h.table('students');
  return { ingest, shards, checks: await h.checks(), students: students?.length, staff: (await h.table('staff'))?.length ?? null };
}

describe('stage hand-offs', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let memory: MemoryHandoff;
  let folder: FolderHandoff;
  let outs: { memory: string; folder: string };

  beforeAll(async () => {
    t = await tempDir();
    outs = { memory: join(t.dir, 'm'), folder: join(t.dir, 'f') };
    memory = new MemoryHandoff();
    folder = new FolderHandoff(join(t.dir, 'work'));
    // Small shards, so several are handed on.
    for (const [out, handoff] of [
      [outs.memory, memory],
      [outs.folder, folder],
    ] as const) {
      const spec = await planRun({ data: SAMPLE, out, asOf: parseDay('2026-06-01'), database: null, shardStudents: 500 });
      await runInProcess(spec, { handoff, threads: 0 });
    }
  });
  afterAll(() => t.cleanup());

  it('hands on the same parts in memory as through a folder, and the same outputs follow', async () => {
    const m = await parts(memory);
    expect(m.ingest.shards.length).toBeGreaterThan(1);
    expect(m.shards.every((s) => s.lines.scored > 0 && s.drift.risk.length > 0)).toBe(true);
    expect(await parts(folder)).toEqual(m);
    expect(await readFile(join(outs.folder, 'scores.csv'), 'utf8')).toBe(await readFile(join(outs.memory, 'scores.csv'), 'utf8'));
  });

  it('keeps features and scored rows through a folder as they were put', async () => {
    const prepared = await memory.prepared();
    const { featuresStage, scoreStage } = await import('../../src/pipeline/index.js');
    const spec = await planRun({ data: SAMPLE, out: outs.folder, asOf: parseDay('2026-06-01'), database: null });
    const f = featuresStage(spec, prepared, prepared.district.roster.schools.slice(0, 1));
    await folder.putFeatures(7, f);
    const back = await folder.features(7);
    expect(back.asOf).toBe(f.asOf);
    expect(Array.from(back.now.values)).toEqual(Array.from(f.now.values));
    expect(back.weekly).toEqual(f.weekly);
    const { rows } = await scoreStage(spec, back, prepared.district);
    await folder.putScored(7, rows);
    expect(await folder.scored(7)).toEqual(rows);
  });

  it('says which part was not handed on, rather than failing somewhere later', async () => {
    const empty = new FolderHandoff(join(t.dir, 'nothing'));
    await expect(empty.lines(3)).rejects.toThrow(/shard 3's lines of scores.csv was not handed on/);
    await expect(new MemoryHandoff().ingest()).rejects.toThrow(/the ingest summary was not handed on/);
    await expect(empty.prepared()).rejects.toThrow(/checked students/);
    expect(await empty.table('staff')).toBeNull();
  });
});
