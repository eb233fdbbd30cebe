import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDistrict, locateFiles, readTableKept, writeRejects, writeTable, type FileReport, type Reject, type Table } from '../../sources/index.js';
import { workDir, type RunSpec } from '../run-spec.js';

export interface SourceResult {
  source: string;
  report: FileReport | null;
  table?: Table;
}

/**
 * Reads and checks one source file (with students.csv, which every row refers to) and keeps
 * its checked table and its rejects for the later stages. A missing optional file is no error.
 */
export async function ingestSource(spec: RunSpec, source: string, students?: Table, cache = true): Promise<SourceResult> {
  return (await ingestSources(spec, [source], students, cache))[0];
}

/**
 * Reads and checks several source files at once (big ones on reader threads, see loadDistrict),
 * keeping each one's table and report as ingestSource does.
 */
export async function ingestSources(
  spec: RunSpec,
  sources: readonly string[],
  students?: Table,
  /** false: the tables are handed on in memory (a run in one process); the roll and staff are always kept. */
  cache = true,
  /** Reader threads (see loadDistrict). */
  threads?: number,
): Promise<SourceResult[]> {
  const dir = join(workDir(spec), 'tables');
  await mkdir(dir, { recursive: true });
  const located = new Set(locateFiles(spec.data).map((f) => f.spec.name));
  const present = sources.filter((s) => located.has(s));
  // A run in one process hands the checked students on; workers in parallel each read them.
  const given = present.includes('students') ? undefined : students;
  const { district, report } =
    present.length > 0
      ? await loadDistrict(spec.data, { only: present, encoding: spec.encoding, today: spec.today, students: given, threads })
      : { district: null, report: null };
  return Promise.all(
    sources.map(async (source): Promise<SourceResult> => {
      if (!district || !report || !present.includes(source)) return { source, report: null };
      const key = ({ family_events: 'familyEvents', meal_card: 'mealCard' } as Record<string, string>)[source] ?? source;
      const table = district[key as keyof typeof district] as Table;
      if (cache || source === 'students' || source === 'staff') await writeTable(join(dir, `${source}.tbl`), table);
      const fileReport = Object.values(report.files).find((f) => f.file.startsWith(`${source}.`))!;
      const rejects = report.rejects.filter((r) => r.file === fileReport.file);
      await writeFile(join(dir, `${source}.report.json`), JSON.stringify({ report: fileReport, rejects }));
      return { source, report: fileReport, table };
    }),
  );
}

export interface IngestSummary {
  files: Record<string, FileReport>;
  rows_rejected: number;
  students: number;
  /** School ids grouped into shards of about `shardStudents` students. */
  shards: string[][];
}

/** Gathers every source's report into rejects.csv and plans the shards for scoring (`roll`: the checked students, if at hand). */
export async function ingestMerge(spec: RunSpec, roll?: Table): Promise<IngestSummary> {
  const dir = join(workDir(spec), 'tables');
  const files: Record<string, FileReport> = {};
  const rejects: Reject[] = [];
  for (const name of (await readdir(dir)).filter((f) => f.endsWith('.report.json')).sort()) {
    const part = JSON.parse(await readFile(join(dir, name), 'utf8')) as { report: FileReport; rejects: Reject[] };
    files[part.report.file] = part.report;
    rejects.push(...part.rejects);
  }
  // students.csv is read by every source job; its rejects are counted once, from its own job.
  await mkdir(spec.out, { recursive: true });
  await writeRejects(join(spec.out, 'rejects.csv'), rejects);
  if (!existsSync(join(dir, 'students.tbl'))) throw new Error('ingest: students were not read');
  // A run in one process hands the roll on; the queue's merge job reads what the students job kept.
  const students = roll ?? (await readTableKept(join(dir, 'students.tbl')));
  const school = students.codes('school_id');
  const sizes = new Map<string, number>();
  for (let i = 0; i < students.length; i++) {
    const id = school.dict[school.data[i]];
    sizes.set(id, (sizes.get(id) ?? 0) + 1);
  }
  const shards: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const [id, n] of [...sizes].sort(([a], [b]) => a.localeCompare(b))) {
    if (current.length > 0 && size + n > spec.shardStudents) {
      shards.push(current);
      current = [];
      size = 0;
    }
    current.push(id);
    size += n;
  }
  if (current.length > 0) shards.push(current);
  const summary: IngestSummary = { files, rows_rejected: rejects.length, students: students.length, shards };
  await writeFile(join(workDir(spec), 'ingest.json'), JSON.stringify(summary, null, 2));
  return summary;
}
