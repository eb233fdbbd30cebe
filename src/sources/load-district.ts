import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { todayInChina, type Day } from '../dates/index.js';
import { ContractError } from '../errors/index.js';
import { log } from '../observability/index.js';
import type { Encoding } from './read/encoding.js';
import { loadFile, type FileReport } from './read/load-file.js';
import { ReaderPool, type ReadJob, type ReadResult } from './read/reader-pool.js';
import { inLanes } from '../util/lanes.js';
import { spareThreads } from '../util/threads.js';
import type { RecordReader, SourceFormat } from './read/records.js';
import type { Reject } from './read/reject.js';
import { findRepeats } from './read/unique.js';
import { Table } from './read/table.js';
import { buildRoster, type Roster } from './roster.js';
import { FILE_SPECS, type FileSpec } from './spec/index.js';
import { isHistory } from './history/manifest.js';
import { historyView, type SourceView } from './history/view.js';
import { loadHistory } from './history/read-history.js';

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
  /**
   * Read from a kept history: the day each family event (row of `familyEvents`) was first seen, so
   * that one recorded today is news today whatever day it is dated (a death learned a month late).
   */
  readonly familyEventsSeen?: Int32Array;
}

export interface LoadReport {
  /** Per file name (e.g. `attendance.csv`): what was read. Absent files are absent here. */
  files: Record<string, FileReport>;
  rejects: Reject[];
  /** Reader threads, besides the calling one, that read at least one file. */
  threads: number;
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
  /**
   * Reader threads besides this one (default: EWS_THREADS, else one per spare core up to 3; none
   * for a small folder). Files are read whole, each on one thread, biggest first.
   */
  threads?: number;
  /** The module a reader thread runs (tests give one that dies, to show the file is then read here). */
  readerScript?: URL;
  /** Called as each file is read, with the bytes read of the whole folder so far and its size. */
  onProgress?: (bytes: number, total: number) => void;
  /** A kept history (see `ews pull`) read as it was known on this day: later pulls' rows and corrections left out. Default: as known now. */
  knownOn?: Day;
  /** Required files may be absent (a pull of what is new); the others are read. */
  partial?: boolean;
  /** A kept history read up to this pull: every job of one run reads the same state, whatever is pulled meanwhile. */
  throughPull?: number;
}

interface Located {
  spec: FileSpec;
  path: string;
  /** As rejects and reports name it: `attendance.csv`, or `attendance/school-01.csv` for a file in a source's folder. */
  fileName: string;
  format: SourceFormat;
  /** True for a file inside a source's folder. */
  part: boolean;
  /** A source's folder that holds no file: the source is there, with no rows (as an empty file would be). */
  emptyFolder?: boolean;
  /** A file of a kept history: the pull that wrote it. */
  seq?: number;
}

const FORMATS: readonly SourceFormat[] = ['csv', 'jsonl'];

/**
 * Finds each spec's file — `attendance.csv` (or `.jsonl`), or a folder `attendance/` of such files, as
 * districts export a file per school or per month — and names every missing required file at once.
 */
export function locateFiles(
  dir: string,
  options: { partial?: boolean; knownOn?: Day; throughPull?: number; history?: Map<string, SourceView> } = {},
): Located[] {
  if (!existsSync(dir)) throw new ContractError('EWS_MISSING_FILE', dir, `data folder ${dir} does not exist`);
  const history = options.history ?? (isHistory(dir) ? historyView(dir, options.knownOn, options.throughPull) : null);
  if (history) return locateInHistory(dir, history, options.partial);
  const found: Located[] = [];
  const missing: string[] = [];
  for (const spec of FILE_SPECS) {
    const csv = `${spec.name}.csv`;
    const jsonl = `${spec.name}.jsonl`;
    const hasCsv = existsSync(join(dir, csv));
    const hasJsonl = existsSync(join(dir, jsonl));
    const parts = partsOf(dir, spec);
    if (parts && (hasCsv || hasJsonl)) {
      throw new ContractError(
        'EWS_AMBIGUOUS_SOURCE',
        `${spec.name}/`,
        `data folder ${dir} holds both ${hasCsv ? csv : jsonl} and a folder ${spec.name}/: keep one, so that no row is read twice`,
      );
    }
    if (hasCsv && hasJsonl) log.warn({ file: csv }, `both ${csv} and ${jsonl} exist; reading ${csv}`);
    if (parts && parts.length > 0) found.push(...parts);
    else if (parts && spec.name !== 'students')
      found.push({ spec, path: join(dir, spec.name), fileName: `${spec.name}/`, format: 'csv', part: true, emptyFolder: true });
    else if (hasCsv) found.push({ spec, path: join(dir, csv), fileName: csv, format: 'csv', part: false });
    else if (hasJsonl) found.push({ spec, path: join(dir, jsonl), fileName: jsonl, format: 'jsonl', part: false });
    else if (spec.need !== 'optional' && !options.partial) missing.push(parts ? `${spec.name}/ (it holds no .csv or .jsonl file)` : csv);
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

/** A kept history's files as of its view: each source a folder of the pulls that kept its rows. */
function locateInHistory(dir: string, history: Map<string, SourceView>, partial?: boolean): Located[] {
  const found: Located[] = [];
  const missing: string[] = [];
  for (const spec of FILE_SPECS) {
    const v = history.get(spec.name);
    if (!v) {
      if (spec.need !== 'optional' && !partial) missing.push(spec.name);
      continue;
    }
    if (v.parts.length === 0) found.push({ spec, path: join(dir, spec.name), fileName: `${spec.name}/`, format: 'csv', part: true, emptyFolder: true });
    for (const p of v.parts)
      found.push({ spec, path: p.path, fileName: `${spec.name}/${p.path.slice(p.path.lastIndexOf('/') + 1)}`, format: 'csv', part: true, seq: p.seq });
  }
  if (missing.length > 0) {
    throw new ContractError(
      'EWS_MISSING_FILE',
      missing[0],
      `history ${dir} holds no ${missing.join(', ')} (as known then): pull a folder that has ${missing.length > 1 ? 'them' : 'it'} first`,
    );
  }
  return found;
}

/** The files of a source's folder in name order, or null where there is no such folder. */
function partsOf(dir: string, spec: FileSpec): Located[] | null {
  const folder = join(dir, spec.name);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return null;
  const parts: Located[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const format = FORMATS.find((f) => entry.name.toLowerCase().endsWith(`.${f}`));
    if (!entry.isFile() || !format) {
      log.warn({ file: `${spec.name}/${entry.name}` }, 'not a .csv or .jsonl file; skipped');
      continue;
    }
    parts.push({ spec, path: join(folder, entry.name), fileName: `${spec.name}/${entry.name}`, format, part: true });
  }
  return parts;
}

/** Reads a data folder: students first (the others refer to them), then every other file. */
export async function loadDistrict(dir: string, options: LoadOptions = {}): Promise<{ district: District; report: LoadReport }> {
  if (!existsSync(dir)) throw new ContractError('EWS_MISSING_FILE', dir, `data folder ${dir} does not exist`);
  if (isHistory(dir)) return loadHistory(dir, historyView(dir, options.knownOn, options.throughPull), options);
  if (options.knownOn !== undefined) log.warn({ data: dir }, 'not a kept history: every row is read as known now');
  const wanted = locateFiles(dir, { partial: options.partial }).filter(
    (f) => (!options.only || f.spec.name === 'students' || options.only.includes(f.spec.name)) && !(options.students && f.spec.name === 'students'),
  );
  const located = wanted.filter((f) => !f.emptyFolder);
  const sizes = new Map(located.map((f) => [f, statSync(f.path).size]));
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  const progress = new Map<Located, number>();
  const onBytes = (f: Located) => (b: number) => {
    progress.set(f, b);
    if (options.onProgress)
      options.onProgress(
        [...progress.values()].reduce((a, x) => a + x, 0),
        total,
      );
  };
  const today = options.today ?? todayInChina();
  const others = located.filter((f) => f.spec.name !== 'students').sort((a, b) => sizes.get(b)! - sizes.get(a)!);
  const threads = readerThreads(
    options,
    others.length,
    others.reduce((a, f) => a + sizes.get(f)!, 0),
  );
  // Started before students.csv is read, so that their start-up overlaps with it.
  const pool = threads > 0 ? new ReaderPool(threads, options.readerScript) : null;
  const results = new Map<Located, ReadResult | Error>();
  const took = new Map<Located, number>();
  const thread = new Map<Located, number>();
  let roster: Roster | undefined = options.students ? buildRoster(options.students) : undefined;
  try {
    const readHere = async (f: Located): Promise<ReadResult> => {
      const rejects: Reject[] = [];
      const context = {
        encoding: options.encoding,
        bytePath: options.bytePath,
        reader: options.reader,
        chunkBytes: options.chunkBytes,
        today,
        repeats: !f.part,
      };
      const r = await loadFile(
        f.path,
        f.fileName,
        f.spec,
        f.format,
        { ...context, roster: roster?.index, rosterIds: roster?.ids, onBytes: onBytes(f) },
        rejects,
      );
      return { ...r, rejects };
    };
    const timed = (read: (f: Located) => Promise<ReadResult>) => async (f: Located) => {
      const start = performance.now();
      const r = await read(f);
      took.set(f, Math.round(performance.now() - start));
      onBytes(f)(sizes.get(f)!); // a thread posts progress in steps, not its last bytes
      return r;
    };
    const studentsFiles = located.filter((f) => f.spec.name === 'students');
    for (const f of studentsFiles) results.set(f, await timed(readHere)(f));
    if (studentsFiles.length > 0) {
      // The roll is one table however many files it came in: an id on two schools' rolls is refused once.
      const joined = studentsFiles[0].part
        ? joinParts(
            studentsFiles,
            studentsFiles.map((f) => results.get(f) as ReadResult),
          )
        : (results.get(studentsFiles[0]) as ReadResult);
      studentsFiles.forEach((f) => results.set(f, joined));
      roster = buildRoster(joined.table);
    }
    if (pool && roster) pool.setRoster(roster.ids);
    // Biggest files first, each to whichever thread is free: one lane is this thread.
    const job = (f: Located): ReadJob => ({
      path: f.path,
      fileName: f.fileName,
      spec: f.spec.name,
      format: f.format,
      options: { encoding: options.encoding, bytePath: options.bytePath, chunkBytes: options.chunkBytes, today, repeats: !f.part },
    });
    const done = await inLanes(others, [timed(readHere), ...Array.from({ length: threads }, (_, k) => timed((f) => pool!.read(k, job(f), onBytes(f))))]);
    others.forEach((f, i) => {
      results.set(f, done.results[i]);
      thread.set(f, done.lane[i]);
    });
  } finally {
    await pool?.close();
  }

  // Reported in the folder's order whichever thread read what, and as a sequential read fails: at
  // the first file that breaks the contract.
  const report: LoadReport = { files: {}, rejects: [], threads: new Set([...thread.values()].filter((k) => k > 0)).size };
  const tables = new Map<string, Table>();
  if (options.students) tables.set('students', options.students);
  for (const f of located) {
    const r = results.get(f)!;
    if (r instanceof Error) throw r;
    if (f.part) continue;
    report.files[f.fileName] = r.report;
    report.rejects.push(...r.rejects.sort((a, b) => a.line - b.line));
    tables.set(f.spec.name, r.table);
    log.info(
      {
        file: f.fileName,
        rows: r.report.rows_read,
        rejected: r.report.rows_rejected,
        encoding: r.report.encoding,
        ms: took.get(f),
        thread: thread.get(f) ?? 0,
      },
      'read',
    );
  }
  // A source sent as a folder: its files one after another, as one table.
  for (const spec of FILE_SPECS) {
    if (wanted.some((f) => f.emptyFolder && f.spec === spec)) {
      log.warn({ file: `${spec.name}/` }, 'the folder holds no .csv or .jsonl file; read as no rows');
      report.files[`${spec.name}/`] = {
        file: `${spec.name}/`,
        format: 'csv',
        encoding: null,
        rows_read: 0,
        rows_rejected: 0,
        rows_from_bytes: 0,
        unknown_columns: [],
        parts: [],
      };
      continue;
    }
    const parts = located.filter((f) => f.part && f.spec === spec);
    if (parts.length === 0) continue;
    const joined =
      spec.name === 'students'
        ? (results.get(parts[0]) as ReadResult)
        : joinParts(
            parts,
            parts.map((f) => results.get(f) as ReadResult),
          );
    report.files[`${spec.name}/`] = joined.report;
    report.rejects.push(...joined.rejects);
    tables.set(spec.name, joined.table);
    log.info(
      {
        file: `${spec.name}/`,
        files: parts.length,
        rows: joined.report.rows_read,
        rejected: joined.report.rows_rejected,
        ms: parts.reduce((a, f) => a + (took.get(f) ?? 0), 0),
      },
      'read',
    );
  }
  return { district: districtFrom(tables, roster!), report };
}

/** A district from its sources' tables by name (`family_events`, …): a required source that sent nothing is an empty table. */
export function districtFrom(tables: ReadonlyMap<string, Table>, roster: Roster = buildRoster(tables.get('students')!)): District {
  const orEmpty = (name: string) => tables.get(name) ?? Table.empty(FILE_SPECS.find((s) => s.name === name)!);
  return {
    roster,
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
}

/** Below this many bytes besides students.csv, starting a thread costs more than it saves. */
const THREAD_MIN_BYTES = 48 << 20;

function readerThreads(options: LoadOptions, files: number, bytes: number): number {
  if (options.reader) return 0; // a function cannot be handed to another thread
  if (options.threads === undefined && bytes < THREAD_MIN_BYTES) return 0;
  return spareThreads(files - 1, options.threads);
}

/**
 * The files of one source's folder as one table and one report (`attendance/`, each file's own in
 * `parts`). Repeated keys are found once over all the files (they were not looked for file by
 * file): a repeat names the line it repeats, and its file where that is another. Rejects come file
 * by file, in line order.
 */
function joinParts(files: readonly Located[], read: readonly ReadResult[]): ReadResult {
  const spec = files[0].spec;
  let table = Table.concat(
    spec,
    read.map((r) => r.table),
  );
  const fileOf = new Int32Array(table.length);
  for (let k = 0, at = 0; k < read.length; at += read[k].table.length, k++) fileOf.fill(k, at, at + read[k].table.length);
  const byFile = read.map((r) => [...r.rejects]);
  const reports = read.map((r) => ({ ...r.report }));
  const repeats = findRepeats(table);
  if (repeats.size > 0) {
    const keep = new Uint8Array(table.length).fill(1);
    const keyText = spec.unique!.join(', ');
    for (const [row, first] of repeats) {
      keep[row] = 0;
      const k = fileOf[row];
      const where = fileOf[first] === k ? '' : `${files[fileOf[first]].fileName} `;
      byFile[k].push({
        file: files[k].fileName,
        line: table.line[row],
        column: spec.unique![0],
        value: '',
        reason: `repeats ${where}line ${table.line[first]} (same ${keyText})`,
      });
      reports[k].rows_rejected++;
    }
    table = table.filter(keep);
  }
  return { table, report: sumReports(spec, reports), rejects: byFile.flatMap((r) => r.sort((a, b) => a.line - b.line)) };
}

function sumReports(spec: FileSpec, reports: FileReport[]): FileReport {
  const sum = (key: 'rows_read' | 'rows_rejected' | 'rows_from_bytes') => reports.reduce((a, r) => a + r[key], 0);
  return {
    file: `${spec.name}/`,
    format: reports[0].format,
    encoding: reports[0].encoding,
    rows_read: sum('rows_read'),
    rows_rejected: sum('rows_rejected'),
    rows_from_bytes: sum('rows_from_bytes'),
    unknown_columns: [...new Set(reports.flatMap((r) => r.unknown_columns))],
    parts: reports,
  };
}
