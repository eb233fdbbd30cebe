import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDistrict } from '../../src/generate/index.js';
import { loadDistrict, readDistrictCache, readTableKept, writeDistrictCache, writeTable, type District } from '../../src/sources/index.js';
import { FAR_TODAY, tempDir } from '../helpers/folder.js';

describe('the checked-table cache', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let original: District;
  let back: District;

  beforeAll(async () => {
    t = await tempDir();
    await generateDistrict({ out: join(t.dir, 'data'), students: 300, weeks: 6, seed: 2 });
    ({ district: original } = await loadDistrict(join(t.dir, 'data'), { today: FAR_TODAY }));
    await writeDistrictCache(join(t.dir, 'cache'), original);
    back = await readDistrictCache(join(t.dir, 'cache'));
  });
  afterAll(() => t.cleanup());

  it('gives back every table column for column', () => {
    for (const key of ['students', 'staff', 'attendance', 'grades', 'subsidies', 'wellbeing', 'mealCard', 'outcomes'] as const) {
      const a = original[key]!;
      const b = back[key]!;
      expect(b.length, key).toBe(a.length);
      expect(Array.from(b.line), key).toEqual(Array.from(a.line));
      for (const [name, col] of a.columns) expect(b.columns.get(name), `${key}.${name}`).toEqual(col);
    }
    expect(back.roster.ids).toEqual(original.roster.ids);
  });

  it('leaves family-event notes behind', () => {
    expect(original.familyEvents.strings('note').some((n) => n !== '')).toBe(true);
    expect(back.familyEvents.strings('note').every((n) => n === '')).toBe(true);
    expect(Array.from(back.familyEvents.uint8('event'))).toEqual(Array.from(original.familyEvents.uint8('event')));
  });

  it('keeps a table read for many jobs, and reads it again when the file changes', async () => {
    const path = join(t.dir, 'cache', 'students.tbl');
    const a = await readTableKept(path);
    expect(await readTableKept(path)).toBe(a);
    await writeTable(path, original.students.filter(new Uint8Array(original.students.length).fill(1).fill(0, 0, 10)));
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    const b = await readTableKept(path);
    expect(b.length).toBe(a.length - 10);
    expect(b.strings('student_id')[0]).toBe(a.strings('student_id')[10]);
  });
});
