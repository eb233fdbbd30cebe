import { recipientsFrom, writeSchoolLists, type WrittenList } from '../../alerts/index.js';
import { formatDay } from '../../dates/index.js';
import type { ScoredStudent } from '../../scoring/index.js';
import type { StaffMember } from '../../sources/index.js';
import type { RunSpec } from '../run-spec.js';

/** Writes the lists of one shard's schools: each head teacher's, and each school's triage list. */
export async function listsStage(spec: RunSpec, scored: readonly ScoredStudent[], staff: readonly StaffMember[]): Promise<WrittenList[]> {
  const recipients = recipientsFrom(staff);
  const bySchool = new Map<string, ScoredStudent[]>();
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
          pagesUrl: /^https?:\/\//.test(spec.delivery.linkBase) ? spec.delivery.linkBase : undefined,
        });
      }),
    );
  }
  return perSchool.flat();
}
