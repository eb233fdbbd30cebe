import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { todayInChina, type Day } from '../dates/index.js';
import { ContractError } from '../errors/index.js';
import { log } from '../observability/index.js';
import type { Encoding } from './read/encoding.js';
import { loadFile, type FileReport } from './read/load-file.js';
import type { RecordReader, SourceFormat } from './read/records.js';
import type { Reject } from './read/reject.js';
import { Table } from './read/table.js';
import { buildRoster, type Roster } from './roster.js';
import { FILE_SPECS, type FileSpec } from './spec/index.js';

/** Everything a data folder holds, read and checked. Optional files absent → null. */
export interface District {
  readonly roster: Roster;
  readonly students: Table;
  readonly staff: Table | null;
  readonly attendance: Table;
  readonly grades: Table;
  readonly familyEvents: Table;
  readonly subsidies: Table;
  readonly wellbeing: Table | null;
  readonly mealCard: Table | null;
  readonly outcomes: Table | null;
}

export interface LoadReport {
  /** Per file name (e.g. `attendance.csv`): what was read. Absent files are absent here. */
  files: Record<string, FileReport>;
  rejects: Reject[];
}

export interface LoadOptions {
  encoding?: Encoding;
  /** Dates after this day are refused as impossible. Default: today in China. */
  today?: Day;
  /** Read only these files (spec names) besides students.csv, which the others need. Default all. */
  only?: readonly string[];
  /** students.csv as already read (by an earlier step of the same run): it is not read again. */
  students?: Table;
  /** false reads every line as text; for comparing with the byte path, which is the default. */
  bytePath?: boolean;
  /** Another record reader in place of ours (for the benchmark that compares readers). */
  reader?: RecordReader;
  /** Bytes read at a time; default 1 MiB. */
  chunkBytes?: number;
  /** Called as each file is read, with the bytes read of the whole folder so far and its size. */
  onProgress?: (bytes: number, total: number) => void;
}

interface Located {
  spec: FileSpec;
  path: string;
  fileName: string;
  format: SourceFormat;
}

/** Finds each spec's file; names every missing required file at once. */
export function locateFiles(dir: string): Located[] {
  if (!existsSync(dir)) throw new ContractError('EWS_MISSING_FILE', dir, `data folder ${dir} does not exist`);
  const found: Located[] = [];
  const missing: string[] = [];
  for (const spec of FILE_SPECS) {
    const csv = `${spec.name}.csv`;
    const jsonl = `${spec.name}.jsonl`;
    const hasCsv = existsSync(join(dir, csv));
    const hasJsonl = existsSync(join(dir, jsonl));
    if (hasCsv && hasJsonl) log.warn({ file: csv }, `both ${csv} and ${jsonl} exist; reading ${csv}`);
    if (hasCsv) found.push({ spec, path: join(dir, csv), fileName: csv, format: 'csv' });
    else if (hasJsonl) found.push({ spec, path: join(dir, jsonl), fileName: jsonl, format: 'jsonl' });
    else if (spec.need !== 'optional') missing.push(csv);
  }
  if (missing.length > 0) {
    throw new ContractError(
      'EWS_MISSING_FILE',
      missing[0],
      `data folder ${dir} lacks required file${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (or .jsonl)`,
    );
  }
  return found;
}

/** Reads a data folder: students first (the others refer to them), then every other file. */
export async function loadDistrict(dir: string, options: LoadOptions = {}): Promise<{ district: District; report: LoadReport }> {
  const located = locateFiles(dir).filter(
    (f) => (!options.only || f.spec.name === 'students' || options.only.includes(f.spec.name)) && !(options.students && f.spec.name === 'students'),
  );
  const sizes = located.map((f) => statSync(f.path).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  let done = 0;
  const today = options.today ?? todayInChina();
  const report: LoadReport = { files: {}, rejects: [] };
  const tables = new Map<string, Table>();
  let roster: Roster | undefined = options.students ? buildRoster(options.students) : undefined;
  if (options.students) tables.set('students', options.students);
  for (const f of located) {
    const { table, report: fileReport } = await loadFile(
      f.path,
      f.fileName,
      f.spec,
      f.format,
      { encoding: options.encoding, bytePath: options.bytePath, reader: options.reader, chunkBytes: options.chunkBytes, today, roster: roster?.index, rosterIds: roster?.ids, onBytes: (b) => options.onProgress?.(done + b, total) },
      report.rejects,
    );
    done += sizes[located.indexOf(f)];
    report.files[f.fileName] = fileReport;
    tables.set(f.spec.name, table);
    if (f.spec.name === 'students') roster = buildRoster(table);
    log.info({ file: f.fileName, rows: fileReport.rows_read, rejected: fileReport.rows_rejected, encoding: fileReport.encoding }, 'read');
  }
  report.rejects.sort((a, b) => (a.file === b.file ? a.line - b.line : 0));
  const orEmpty = (name: string) => tables.get(name) ?? Table.empty(FILE_SPECS.find((s) => s.name === name)!);
  const district: District = {
    roster: roster!,
    students: tables.get('students')!,
    staff: tables.get('staff') ?? null,
    attendance: orEmpty('attendance'),
    grades: orEmpty('grades'),
    familyEvents: orEmpty('family_events'),
    subsidies: orEmpty('subsidies'),
    wellbeing: tables.get('wellbeing') ?? null,
    mealCard: tables.get('meal_card') ?? null,
    outcomes: tables.get('outcomes') ?? null,
  };
  return { district, report };
}
