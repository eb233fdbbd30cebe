import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recipientsFrom, writeSchoolLists, type WrittenList } from '../../alerts/index.js';
import { readTableKept, type Table } from '../../sources/index.js';
import { formatDay } from '../../dates/index.js';
import { workDir, type RunSpec } from '../run-spec.js';
import { readScored } from './score.js';
import type { ScoredStudent } from '../../scoring/index.js';
import { existsSync } from 'node:fs';

/** Writes the lists of one shard's schools: each head teacher's, and each school's triage list. */
export async function listsStage(
  spec: RunSpec,
  shard: number,
  scoredRows?: ScoredStudent[],
  /** The checked staff table (null: the folder has none), as a run in one process holds it. */
  staffTable?: Table | null,
): Promise<{ lists: WrittenList[] }> {
  const work = workDir(spec);
  // A run in one process hands the shard's scores and the staff on; a worker reads what ingest and score wrote.
  const scored = scoredRows ?? (await readScored(spec, shard));
  const staffFile = join(work, 'tables', 'staff.tbl');
  const staff = staffTable !== undefined ? staffTable : existsSync(staffFile) ? await readTableKept(staffFile) : null;
  const recipients = recipientsFrom(
    staff && {
      ids: staff.strings('staff_id'),
      schools: Array.from(staff.codes('school_id').data, (c) => staff.codes('school_id').dict[c]),
      roles: Array.from(staff.uint8('role'), (r) => ['head_teacher', 'psychologist', 'counsellor', 'analyst', 'admin'][r]),
      classIds: staff.lists('class_ids'),
    },
  );
  const bySchool = new Map<string, typeof scored>();
  for (const s of scored) (bySchool.get(s.school_id) ?? bySchool.set(s.school_id, []).get(s.school_id)!).push(s);
  // Schools a few at a time: their files are written while the next school's pages are built.
  const schools = [...bySchool].sort(([a], [b]) => a.localeCompare(b));
  const perSchool: WrittenList[][] = new Array(schools.length);
  for (let i = 0; i < schools.length; i += 8) {
    await Promise.all(
      schools.slice(i, i + 8).map(async ([school, rows], j) => {
        perSchool[i + j] = await writeSchoolLists(school, rows, recipients, {
          out: spec.out,
          lang: spec.lang,
          modelId: spec.modelId,
          generatedAt: formatDay(spec.asOf),
        });
      }),
    );
  }
  const lists = perSchool.flat();
  await mkdir(join(work, 'lists'), { recursive: true });
  await writeFile(join(work, 'lists', `${shard}.json`), JSON.stringify(lists));
  return { lists };
}
