import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDay, parseDay, todayInChina, type Day } from '../../dates/index.js';
import { EwsError, OptionError } from '../../errors/index.js';
import { log } from '../../observability/index.js';
import { loadDistrict, locateFiles, type District } from '../load-district.js';
import type { Encoding } from '../read/encoding.js';
import type { Reject } from '../read/reject.js';
import { Table } from '../read/table.js';
import { FILE_SPECS, students as studentsSpec, type FileSpec } from '../spec/index.js';
import { writeRejects } from '../write-rejects.js';
import { writeTable } from '../cache.js';
import { buildRoster } from '../roster.js';
import { lockHistory, readManifest, seqName, writeManifest, type Manifest, type SourceCounts } from './manifest.js';
import { CHANGED, NEW, UNCHANGED } from './row-index.js';
import { classifyRows, type BucketFiles } from './source-index.js';

export interface PullOptions {
  /** The kept history to add to; created on the first pull. */
  history: string;
  encoding?: Encoding;
  /** The day this pull's rows count as first seen. Default: today in China. */
  seenOn?: Day;
  /** Dates after this day are refused as impossible. Default: today in China. */
  today?: Day;
  /** What the rows came from, as the manifest records it. Default: the folder. */
  from?: string;
  /** Rows a connector refused before the folder was written, by source: counted and kept with the pull's rejects. */
  refusedBefore?: Record<string, Reject[]>;
  /** Names a reject as the rows' origin does (a workbook's sheet and row, not the folder's CSV line). */
  where?: (r: Reject) => Reject;
  /**
   * Sources this pull holds whole (a full re-export): a kept row whose key is not in it was deleted at
   * the school and is withdrawn from this pull on (still kept, as every version is). `true`: every
   * source the pull holds. Never the roll: a student who leaves is an outcome, not a deletion.
   */
  full?: boolean | readonly string[];
}

export interface PullReport {
  history: string;
  /** This pull's number (recorded even when nothing was new: the manifest says what was seen when). */
  pull: number;
  seen_on: string;
  sources: Record<string, SourceCounts>;
  totals: SourceCounts;
  /** Where the refused rows are, with file, line, column and reason; null when none were. */
  rejects: string | null;
  /** What the pull did otherwise than asked (a `--full` source read as a delta, and why). */
  warnings: string[];
}

/**
 * Adds a folder — a full re-export or only what is new, any source absent — to a kept history.
 * A row's key (see identityOf) says whether the history holds it: new and changed rows are kept in
 * this pull's file of their source, the versions they replace stay where they were (listed as
 * replaced), unchanged ones are only counted. Nothing is visible to readers until the manifest
 * names the pull; a pull that fails leaves the history as it was.
 */
export async function pullFolder(data: string, options: PullOptions): Promise<PullReport> {
  const dir = options.history;
  mkdirSync(dir, { recursive: true });
  const unlock = lockHistory(dir);
  try {
    const manifest = readManifest(dir);
    const seq = (manifest.pulls.at(-1)?.seq ?? 0) + 1;
    clearUncommitted(dir, seq);
    const seenOn = options.seenOn ?? todayInChina();
    const lastSeen = manifest.pulls.at(-1)?.seen_on;
    // Pulls are known in the order they were taken: a view as known on a day is the pulls up to it.
    if (lastSeen && seenOn < parseDay(lastSeen)) {
      throw new OptionError(
        '--seen-on',
        `${formatDay(seenOn)} is before the last pull's day (${lastSeen}); pull past exports in the order they were taken, into a new history if need be`,
      );
    }
    const today = options.today ?? todayInChina();
    const present = new Set(locateFiles(data, { partial: true }).map((f) => f.spec.name));
    if (present.size === 0) throw new EwsError('EWS_NOTHING_TO_PULL', `${data} holds no source file (students.csv, attendance.csv, …) to pull`);
    const keptRoll = manifest.pulls.length > 0 ? (await loadDistrict(dir, { only: [], partial: true })).district.students : null;
    if (!keptRoll && !present.has('students')) {
      throw new EwsError('EWS_NOTHING_TO_PULL', `history ${dir} is empty and ${data} holds no students.csv: the first pull must bring the roll`);
    }
    const rejects: Reject[] = [];
    let roll = keptRoll!;
    let pulledRoll: Table | null = null;
    if (present.has('students')) {
      const read = await loadDistrict(data, { only: [], partial: true, encoding: options.encoding, today });
      rejects.push(...read.report.rejects);
      pulledRoll = read.district.students;
      roll = keptRoll ? rollWith(keptRoll, pulledRoll) : pulledRoll;
    }
    const others = [...present].filter((s) => s !== 'students');
    const read = others.length > 0 ? await loadDistrict(data, { only: others, partial: true, students: roll, encoding: options.encoding, today }) : null;
    if (read) rejects.push(...read.report.rejects);
    const place = buildRoster(roll).index;

    const sources: Record<string, SourceCounts> = {};
    const warnings: string[] = [];
    const index: Record<string, BucketFiles> = { ...manifest.index };
    for (const spec of FILE_SPECS) {
      if (!present.has(spec.name)) continue;
      const table = spec.name === 'students' ? pulledRoll! : tableOf(read!.district, spec);
      const refused =
        rejects.filter((r) => r.file === `${spec.name}.csv` || r.file === `${spec.name}.jsonl` || r.file.startsWith(`${spec.name}/`)).length +
        (options.refusedBefore?.[spec.name]?.length ?? 0);
      // A students row is kept with its place in the roll (its line), which later rows refer to.
      const placed = spec.name === 'students' ? table.withLines(Int32Array.from(table.strings('student_id'), (id) => place.get(id)!)) : table;
      let whole = spec.name !== 'students' && (options.full === true || (Array.isArray(options.full) && options.full.includes(spec.name)));
      // A whole export with refused rows, or with none, cannot say what the school deleted: a typo is not a deletion.
      if (whole && (refused > 0 || table.length === 0)) {
        whole = false;
        warnings.push(
          `${spec.name}: nothing withdrawn, as the export ${refused > 0 ? `has ${refused} refused row${refused > 1 ? 's' : ''}` : 'holds no rows'}; read as a delta`,
        );
      }
      const { counts, files } = await keepSource(dir, seq, placed, manifest.index[spec.name] ?? {}, whole);
      sources[spec.name] = { ...counts, refused };
      index[spec.name] = files;
    }
    const kept = [...(options.where ? rejects.map(options.where) : rejects), ...Object.values(options.refusedBefore ?? {}).flat()];
    const rejectsFile = kept.length > 0 ? join(dir, 'rejects', `${seqName(seq)}.csv`) : null;
    if (rejectsFile) {
      mkdirSync(join(dir, 'rejects'), { recursive: true });
      await writeRejects(rejectsFile, kept);
    }
    const record = { seq, pulled_at: new Date().toISOString(), seen_on: formatDay(seenOn), from: options.from ?? data, sources };
    const next: Manifest = { ...manifest, pulls: [...manifest.pulls, record], index };
    syncFiles(filesOfPull(dir, seq));
    writeManifest(dir, next);
    // Index files the manifest no longer names.
    for (const [source, buckets] of Object.entries(manifest.index)) {
      for (const [bucket, file] of Object.entries(buckets)) if (index[source]?.[bucket] !== file) rmSync(join(dir, '.index', source, file), { force: true });
    }
    const totals = sumCounts(Object.values(sources));
    log.info({ history: dir, pull: seq, ...totals }, 'pulled');
    for (const w of warnings) log.warn({ history: dir, pull: seq }, w);
    return { history: dir, pull: seq, seen_on: record.seen_on, sources, totals, rejects: rejectsFile, warnings };
  } finally {
    unlock();
  }
}

/**
 * The roll kept, each pulled student's row in place of the kept one, new students after: a student's
 * place never changes, so rows kept in earlier pulls still refer to the right student.
 */
function rollWith(kept: Table, pulled: Table): Table {
  const both = Table.concat(studentsSpec, [kept, pulled]);
  const at = buildRoster(kept).index;
  const ids = pulled.strings('student_id');
  const idx = Int32Array.from({ length: kept.length }, (_, i) => i);
  const added: number[] = [];
  ids.forEach((id, r) => {
    const k = at.get(id);
    if (k === undefined) added.push(kept.length + r);
    else idx[k] = kept.length + r;
  });
  return both.take(Int32Array.from([...idx, ...added]));
}

function tableOf(d: District, spec: FileSpec): Table {
  const key = ({ family_events: 'familyEvents', meal_card: 'mealCard' } as Record<string, keyof District>)[spec.name] ?? (spec.name as keyof District);
  return (d[key] as Table | null) ?? Table.empty(spec);
}

/** Classifies one source's pulled rows and keeps the new and changed ones (and what they replace) under this pull's number. */
async function keepSource(
  dir: string,
  seq: number,
  table: Table,
  before: BucketFiles,
  full: boolean,
): Promise<{ counts: Omit<SourceCounts, 'refused'>; files: BucketFiles }> {
  const spec = table.spec;
  const c = classifyRows(dir, table, before, seq, full);
  const counts: Omit<SourceCounts, 'refused'> = { read: table.length, new: 0, changed: 0, unchanged: 0, ...(full ? { withdrawn: c.withdrawn } : {}) };
  for (const s of c.status) {
    if (s === NEW) counts.new++;
    else if (s === CHANGED) counts.changed++;
    else if (s === UNCHANGED) counts.unchanged++;
  }
  if (c.kept.length > 0) {
    mkdirSync(join(dir, spec.name), { recursive: true });
    const rows = table.take(c.kept);
    await writeTable(
      join(dir, spec.name, `${seqName(seq)}.tbl`),
      spec.name === 'students' ? rows : rows.withLines(Int32Array.from({ length: rows.length }, (_, k) => k)),
      { keepText: true },
    );
  }
  if (c.superseded.length > 0) {
    mkdirSync(join(dir, '.superseded', spec.name), { recursive: true });
    writeFileSync(join(dir, '.superseded', spec.name, `${seqName(seq)}.u32`), new Uint8Array(c.superseded.buffer));
  }
  return { counts, files: c.files };
}

/** Files a pull of this number wrote before it failed: never committed, so never read. */
function clearUncommitted(dir: string, seq: number): void {
  for (const path of filesOfPull(dir, seq)) rmSync(path, { force: true });
}

/** Every file a pull of this number writes: its tables, what they replace, its index buckets, its rejects. */
function filesOfPull(dir: string, seq: number): string[] {
  const name = seqName(seq);
  const out: string[] = [];
  const folders = [...FILE_SPECS.map((s) => join(dir, s.name)), ...FILE_SPECS.map((s) => join(dir, '.superseded', s.name)), join(dir, 'rejects')];
  for (const f of folders) {
    if (!existsSync(f) || !statSync(f).isDirectory()) continue;
    for (const e of readdirSync(f)) if (e.startsWith(`${name}.`)) out.push(join(f, e));
  }
  for (const spec of FILE_SPECS) {
    const idx = join(dir, '.index', spec.name);
    if (existsSync(idx)) for (const e of readdirSync(idx)) if (e.endsWith(`.${name}.u32`)) out.push(join(idx, e));
  }
  return out;
}

/** On disk before the manifest names them: a power cut after the commit must not leave it naming a file cut short. */
function syncFiles(paths: readonly string[]): void {
  for (const path of paths) {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

export function sumCounts(all: readonly SourceCounts[]): SourceCounts {
  const t: Required<SourceCounts> = { read: 0, new: 0, changed: 0, unchanged: 0, refused: 0, withdrawn: 0 };
  for (const c of all) for (const k of Object.keys(t) as (keyof SourceCounts)[]) t[k] += c[k] ?? 0;
  return t;
}
