import { ContractError, EwsError } from '../../errors/index.js';
import { log } from '../../observability/index.js';
import { readTablesJoined } from '../cache.js';
import type { FileReport } from '../read/load-file.js';
import { Table } from '../read/table.js';
import { FILE_SPECS, type FileSpec } from '../spec/index.js';
import { districtFrom, type District, type LoadOptions, type LoadReport } from '../load-district.js';
import type { SourceView } from './view.js';

/**
 * Reads a kept history as a district: each source's pulls' tables one after another, less the
 * versions later pulls replaced; the roll in the order students were first seen, which is the
 * place every other table's rows refer to. Nothing is parsed: the rows were checked when pulled.
 */
export async function loadHistory(dir: string, view: Map<string, SourceView>, options: LoadOptions): Promise<{ district: District; report: LoadReport }> {
  const started = performance.now();
  const report: LoadReport = { files: {}, rejects: [], threads: 0 };
  const tables = new Map<string, Table>();
  const missing: string[] = [];
  let familyEventsSeen: Int32Array | undefined;
  for (const spec of FILE_SPECS) {
    if (options.only && spec.name !== 'students' && !options.only.includes(spec.name)) continue;
    if (spec.name === 'students' && options.students) {
      tables.set('students', options.students);
      continue;
    }
    const v = view.get(spec.name);
    if (!v) {
      if (spec.need !== 'optional' && !options.partial) missing.push(spec.name);
      continue;
    }
    const { table, seen } = await readSource(spec, v, spec.name === 'family_events');
    tables.set(spec.name, spec.name === 'students' ? inRollOrder(table, dir) : table);
    if (spec.name === 'family_events') familyEventsSeen = seen;
    report.files[`${spec.name}/`] = sourceReport(spec, v, table.length);
  }
  if (missing.length > 0) {
    throw new ContractError(
      'EWS_MISSING_FILE',
      missing[0],
      `history ${dir} holds no ${missing.join(', ')} (as known then): pull a folder that has ${missing.length > 1 ? 'them' : 'it'} first`,
    );
  }
  const students = tables.get('students');
  if (!students) throw new ContractError('EWS_MISSING_FILE', 'students', `history ${dir} holds no students (as known then)`);
  const district = { ...districtFrom(tables), familyEventsSeen };
  log.info({ history: dir, sources: tables.size, ms: Math.round(performance.now() - started) }, 'history read');
  return { district, report };
}

/** A source's rows as known (later versions in place of earlier ones), and the day each was first seen. */
async function readSource(spec: FileSpec, v: SourceView, withSeen: boolean): Promise<{ table: Table; seen: Int32Array }> {
  if (v.parts.length === 0) return { table: Table.empty(spec), seen: new Int32Array(0) };
  const joined = readTablesJoined(v.parts.map((p) => p.path));
  let table = joined.table;
  let seen = new Int32Array(withSeen ? table.length : 0);
  if (withSeen) for (let k = 0, at = 0; k < v.parts.length; at += joined.lengths[k], k++) seen.fill(v.parts[k].seenOn, at, at + joined.lengths[k]);
  if (v.replaced.size > 0) {
    const keep = new Uint8Array(table.length).fill(1);
    for (let k = 0, at = 0; k < v.parts.length; at += joined.lengths[k], k++) {
      for (const ord of v.replaced.get(v.parts[k].seq) ?? []) keep[at + ord] = 0;
    }
    table = table.filter(keep);
    if (withSeen) seen = seen.filter((_, r) => keep[r] === 1);
  }
  return { table, seen };
}

/** A students segment keeps each student's place in the roll as the row's line: the roll is put back in that order. */
function inRollOrder(table: Table, dir: string): Table {
  const idx = new Int32Array(table.length).fill(-1);
  for (let r = 0; r < table.length; r++) {
    const place = table.line[r];
    if (place < 0 || place >= table.length || idx[place] >= 0)
      throw new EwsError('EWS_HISTORY_DAMAGED', `history ${dir}: its students do not make one roll (place ${place} of ${table.length})`);
    idx[place] = r;
  }
  return table.take(idx);
}

/** What summary.json says of a source read from a history: its rows as known, and from how many pulls. */
function sourceReport(spec: FileSpec, v: SourceView, rows: number): FileReport {
  return {
    file: `${spec.name}/`,
    format: 'history',
    encoding: null,
    rows_read: rows,
    rows_rejected: 0,
    rows_from_bytes: 0,
    unknown_columns: [],
    pulls: v.parts.length,
  };
}
