import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contactOf, keepContacts, namesOf } from '../../src/followup/index.js';
import { loadDistrict } from '../../src/sources/index.js';
import type { Db } from '../../src/store/index.js';
import { ENGINES, freshDb } from '../helpers/databases.js';
import { BASE_FILES, FAR_TODAY, tempDir } from '../helpers/folder.js';

const HEADER = 'student_id,school_id,class_id,grade_level,head_teacher_id';

/** A roll of two students, with whatever contact columns and values are given. */
async function roll(dir: string, extra: string, rows: [string, string]): Promise<Awaited<ReturnType<typeof loadDistrict>>['district']['students']> {
  for (const [name, content] of Object.entries(BASE_FILES)) await writeFile(join(dir, name), content.replace(/A1/g, 's1').replace(/B2/g, 's2'));
  await writeFile(join(dir, 'students.csv'), `${HEADER}${extra}\ns1,S,8-1,8,t1${rows[0]}\ns2,S,8-1,8,t1${rows[1]}\n`);
  const { district } = await loadDistrict(dir, { only: ['students'], today: FAR_TODAY });
  return district.students;
}

describe.each(ENGINES)("students' contacts on %s", (engine) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    ({ db, cleanup } = await freshDb(engine));
    t = await tempDir();
  });
  afterEach(async () => {
    await cleanup();
    await t.cleanup();
  });

  it("should keep the roll's names and guardians, and keep what a later roll leaves empty", async () => {
    expect(await keepContacts(db, await roll(t.dir, ',name,guardian_name,guardian_phone', [',王小明,王大明(父亲),10012345678', ',李四,,']))).toBe(2);
    expect(await contactOf(db, 's1')).toEqual({ name: '王小明', guardian_name: '王大明(父亲)', guardian_phone: '10012345678' });
    expect(await contactOf(db, 's2')).toEqual({ name: '李四', guardian_name: null, guardian_phone: null });
    // Next week: a new phone for s1, nothing for s2 (the export left the cells empty).
    expect(await keepContacts(db, await roll(t.dir, ',name,guardian_name,guardian_phone', [',王小明,,10087654321', ',,,']))).toBe(1);
    expect(await contactOf(db, 's1')).toEqual({ name: '王小明', guardian_name: '王大明(父亲)', guardian_phone: '10087654321' });
    expect(await contactOf(db, 's2')).toEqual({ name: '李四', guardian_name: null, guardian_phone: null });
    expect(await namesOf(db, ['s1', 's2', 'nobody'])).toEqual(
      new Map([
        ['s1', '王小明'],
        ['s2', '李四'],
      ]),
    );
  });

  it('should read Chinese headers, and change nothing for a roll without names', async () => {
    expect(await keepContacts(db, await roll(t.dir, ',姓名,联系电话', [',张三,10011112222', ',赵六,']))).toBe(2);
    expect((await contactOf(db, 's1'))?.guardian_phone).toBe('10011112222');
    expect(await keepContacts(db, await roll(t.dir, '', ['', '']))).toBe(0);
    expect((await contactOf(db, 's2'))?.name).toBe('赵六');
  });
});
