import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDistrict, locateFiles, writeRejects, type FileReport, type Table } from '../../sources/index.js';
import type { IngestSummary, SourceCheck } from '../handoff/index.js';
import type { RunSpec } from '../run-spec.js';

export type { IngestSummary } from '../handoff/index.js';

export interface SourceResult {
  source: string;
  /** The checked table and its check; absent where the folder has no such file (no error for an optional one). */
  table?: Table;
  check?: SourceCheck;
}

/**
 * Reads and checks source files (big ones on reader threads, see loadDistrict). Rows refer to
 * students: `students` is the checked roll when it was read before (a worker per source), else
 * students.csv is read with them.
 */
export async function ingestSources(spec: RunSpec, sources: readonly string[], students?: Table, threads?: number): Promise<SourceResult[]> {
  const located = new Set(locateFiles(spec.data, { knownOn: spec.knownOn, throughPull: spec.throughPull }).map((f) => f.spec.name));
  const present = sources.filter((s) => located.has(s));
  const given = present.includes('students') ? undefined : students;
  if (present.length === 0) return sources.map((source) => ({ source }));
  const { district, report } = await loadDistrict(spec.data, {
    only: present,
    encoding: spec.encoding,
    today: spec.today,
    knownOn: spec.knownOn,
    students: given,
    threads,
  });
  return sources.map((source): SourceResult => {
    if (!present.includes(source)) return { source };
    const key = ({ family_events: 'familyEvents', meal_card: 'mealCard' } as Record<string, string>)[source] ?? source;
    const table = district[key as keyof typeof district] as Table;
    // A source is one file (`attendance.csv`) or a folder of them (`attendance/`, its rejects naming the file inside).
    const ofSource = (file: string) => file.startsWith(`${source}.`) || file.startsWith(`${source}/`);
    const fileReport = Object.values(report.files).find((f) => ofSource(f.file))!;
    return { source, table, check: { report: fileReport, rejects: report.rejects.filter((r) => ofSource(r.file)) } };
  });
}

/** Gathers every source's check into rejects.csv and groups the roll's schools into shards for scoring. */
export async function ingestMerge(spec: RunSpec, roll: Table | null, checks: readonly SourceCheck[]): Promise<IngestSummary> {
  if (!roll) throw new Error('ingest: students were not read');
  const files: Record<string, FileReport> = {};
  for (const c of checks) files[c.report.file] = c.report;
  const rejects = checks.flatMap((c) => c.rejects);
  await mkdir(spec.out, { recursive: true });
  await writeRejects(join(spec.out, 'rejects.csv'), rejects);
  return { files, rows_rejected: rejects.length, students: roll.length, shards: shardsOf(roll, spec.shardStudents) };
}

/** Whole schools, in id order, grouped into shards of about `size` students. */
function shardsOf(roll: Table, size: number): string[][] {
  const school = roll.codes('school_id');
  const sizes = new Map<string, number>();
  for (let i = 0; i < roll.length; i++) {
    const id = school.dict[school.data[i]];
    sizes.set(id, (sizes.get(id) ?? 0) + 1);
  }
  const shards: string[][] = [];
  let current: string[] = [];
  let n = 0;
  for (const [id, k] of [...sizes].sort(([a], [b]) => a.localeCompare(b))) {
    if (current.length > 0 && n + k > size) {
      shards.push(current);
      current = [];
      n = 0;
    }
    current.push(id);
    n += k;
  }
  if (current.length > 0) shards.push(current);
  return shards;
}
