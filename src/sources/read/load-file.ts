import { open, stat } from 'node:fs/promises';
import { ContractError } from '../../errors/index.js';
import { log } from '../../observability/index.js';
import type { FileSpec } from '../spec/index.js';
import type { Encoding } from './encoding.js';
import { EMPTY, parseCell, Refusal, type CellValue, type ParseContext } from './parse-value.js';
import { jsonRecordToFields, readRecords, type RecordReader, type SourceFormat } from './records.js';
import type { RecordSink } from './csv-parser.js';
import { shownValue, type Reject } from './reject.js';
import { TableBuilder, type Table } from './table.js';
import { findRepeats } from './unique.js';
import { compileFastRow, type FastRow } from './fast-row.js';
import { HEADER_NAMES } from '../spec/chinese-names.js';

export interface FileReport {
  file: string;
  /** `history`: a source of a kept history (see `ews pull`), read from its pulls' tables. */
  format: SourceFormat | 'history';
  encoding: Encoding | null;
  rows_read: number;
  rows_rejected: number;
  /** Rows read straight from their bytes; the rest went through the text path. */
  rows_from_bytes: number;
  unknown_columns: string[];
  /** A source sent as a folder of files (`attendance/`): what each file gave. The counts above are their sums. */
  parts?: FileReport[];
  /** A history's source: how many pulls kept rows of it. */
  pulls?: number;
}

export interface LoadFileOptions extends ParseContext {
  encoding?: Encoding;
  /** false reads every line as text (for comparing the two paths); the byte path is the default. */
  bytePath?: boolean;
  /** Another record reader in place of ours (the benchmark measures csv-parse through this seam). */
  reader?: RecordReader;
  /** Bytes read at a time (default 1 MiB); small in tests, so lines straddle chunks. */
  chunkBytes?: number;
  /** Called with the bytes read so far, for a progress bar. */
  onBytes?: (bytes: number) => void;
  /** false leaves repeated keys to the caller: a file of a source's folder is checked with the others, once. */
  repeats?: boolean;
}

/**
 * Reads one input file into a Table. Every row that breaks the contract becomes a Reject
 * (pushed to `rejects`) and the rest is kept; only a missing column stops the read.
 */
export async function loadFile(
  path: string,
  fileName: string,
  spec: FileSpec,
  format: SourceFormat,
  options: LoadFileOptions,
  rejects: Reject[],
): Promise<{ table: Table; report: FileReport }> {
  const report: FileReport = {
    file: fileName,
    format,
    encoding: null,
    rows_read: 0,
    rows_rejected: 0,
    rows_from_bytes: 0,
    unknown_columns: [],
  };
  const builder = new TableBuilder(spec);
  const size = (await stat(path)).size;
  if (size === 0) {
    if (spec.need === 'required') {
      throw new ContractError('EWS_MISSING_COLUMN', fileName, `${fileName} is empty: it has no header row`);
    }
    log.warn({ file: fileName }, 'input file is empty (0 bytes); read as no rows');
    return { table: builder.build(), report };
  }

  if (size > 1 << 20) builder.reserve(await expectedRows(path, size)); // a small file's table grows as it is read

  const refuse = (line: number, column: string, value: string, reason: string, sensitive = false) => {
    rejects.push({ file: fileName, line, column, value: shownValue(value, sensitive), reason });
    report.rows_rejected++;
  };

  let header: string[] | null = format === 'jsonl' ? spec.columns.map((c) => c.name) : null;
  const jsonSeen = new Set<string>(header ?? []);
  let fieldOf: Int32Array | null = format === 'jsonl' ? Int32Array.from(spec.columns, (_, k) => k) : null;
  const values: CellValue[] = new Array(spec.columns.length);
  const valueNamed = (name: string) => values[spec.columns.findIndex((c) => c.name === name)];
  let firstJson = true;

  type Problem = { column: string; value: string; reason: string; sensitive: boolean };
  let fast: FastRow | null = null;
  const sink: RecordSink = {
    bytes(line, buf, start, end) {
      if (!fast?.(buf, start, end, values)) return false;
      report.rows_read++;
      report.rows_from_bytes++;
      builder.append(line, values);
      return true;
    },
    broken(line, error) {
      if (!header) throw new ContractError('EWS_MISSING_COLUMN', fileName, `${fileName}: the header row cannot be read (${error})`);
      report.rows_read++;
      refuse(line, '', '', error);
    },
    record(line, rawFields, rawCount) {
      let fields: readonly string[] = rawFields;
      let count = rawCount;
      if (!header) {
        // A Chinese system's header (学号, 日期, 出勤状态…) names the contract's column.
        const names = HEADER_NAMES[spec.name] ?? {};
        header = fields.slice(0, count).map((h) => {
          const cell = h.replace(/^\uFEFF/, '').trim();
          return names[cell] ?? cell.toLowerCase();
        });
        fieldOf = bindHeader(spec, fileName, header, report);
        if (format === 'csv' && options.bytePath !== false) fast = compileFastRow(spec, fieldOf, header.length, options);
        return;
      }
      report.rows_read++;
      if (format === 'jsonl') {
        const parsed = jsonRecordToFields(fields[0], header, jsonSeen);
        if ('error' in parsed) {
          refuse(line, '', shownValue(fields[0], true), parsed.error);
          return;
        }
        if (firstJson) {
          firstJson = false;
          checkJsonKeys(spec, fileName, fields[0], report);
        }
        fields = parsed.fields;
        count = parsed.fields.length;
      } else if (count > header.length) {
        refuse(line, `(field ${header.length + 1})`, fields[header.length], `the row has ${count} fields; the header has ${header.length}`);
        return;
      }
      let problems: Problem[] | null = null; // allocated only for a row that has one
      for (let k = 0; k < spec.columns.length; k++) {
        const c = spec.columns[k];
        const at = fieldOf![k];
        const raw = at >= 0 && at < count ? fields[at] : '';
        let v = parseCell(c.type, raw, options);
        if (v === EMPTY && c.presence === 'value') v = new Refusal('a required value is empty');
        if (v instanceof Refusal) {
          (problems ??= []).push({ column: c.name, value: raw, reason: v.reason, sensitive: c.type.kind === 'text' });
          v = EMPTY;
        }
        values[k] = v;
      }
      if (problems === null && spec.checks) {
        for (const check of spec.checks) {
          const bad = check(valueNamed);
          if (!bad) continue;
          // Show the cell as the school wrote it (a date as text, not a day number).
          const at = fieldOf![spec.columns.findIndex((c) => c.name === bad.column)];
          (problems ??= []).push({ column: bad.column, value: at >= 0 && at < count ? fields[at] : '', reason: bad.reason, sensitive: false });
        }
      }
      if (problems !== null) {
        const [first, ...more] = problems;
        const also = more.length > 0 ? `; also ${more.map((p) => `${p.column}: ${p.reason}`).join('; ')}` : '';
        refuse(line, first.column, first.value, first.reason + also, first.sensitive);
        return;
      }
      builder.append(line, values);
    },
  };
  report.encoding = await (options.reader ?? readRecords)(
    path,
    format,
    // A small file is read in one chunk of about its size, not a fresh MiB (thousands of a school's files).
    { encoding: options.encoding, chunkBytes: options.chunkBytes ?? Math.min(1 << 20, Math.max(1 << 16, size + 1)), size, onBytes: options.onBytes },
    sink,
  );
  if (!header) throw new ContractError('EWS_MISSING_COLUMN', fileName, `${fileName} has no header row`);

  let table = builder.build();
  const repeats = options.repeats === false ? new Map<number, number>() : findRepeats(table);
  if (repeats.size > 0) {
    const keep = new Uint8Array(table.length).fill(1);
    const keyText = spec.unique!.join(', ');
    for (const [row, first] of repeats) {
      keep[row] = 0;
      refuse(table.line[row], spec.unique![0], '', `repeats line ${table.line[first]} (same ${keyText})`);
    }
    table = table.filter(keep);
  }
  return { table, report };
}

/** Rows a file probably holds, judged from the lines in its first 64 KiB, with a little to spare. */
async function expectedRows(path: string, size: number): Promise<number> {
  const head = Buffer.alloc(Math.min(size, 1 << 16));
  const file = await open(path, 'r');
  try {
    await file.read(head, 0, head.length, 0);
  } finally {
    await file.close();
  }
  let lines = 0;
  for (let i = head.indexOf(10); i >= 0; i = head.indexOf(10, i + 1)) lines++;
  return Math.ceil(((lines + 1) * size * 1.02) / head.length);
}

/** Maps spec columns to header positions; a missing required column stops the run. */
function bindHeader(spec: FileSpec, fileName: string, header: string[], report: FileReport): Int32Array {
  const fieldOf = Int32Array.from(spec.columns, (c) => header.indexOf(c.name));
  const missing = spec.columns.filter((c, k) => c.presence !== 'optional' && fieldOf[k] < 0).map((c) => c.name);
  if (missing.length > 0) {
    throw new ContractError('EWS_MISSING_COLUMN', fileName, `${fileName} lacks required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }
  const known = new Set(spec.columns.map((c) => c.name));
  report.unknown_columns = header.filter((h) => h !== '' && !known.has(h));
  if (report.unknown_columns.length > 0) {
    log.warn({ file: fileName, columns: report.unknown_columns }, 'unknown columns ignored');
  }
  return fieldOf;
}

/** JSON Lines has no header: the first row's keys stand in for one. */
function checkJsonKeys(spec: FileSpec, fileName: string, firstRow: string, report: FileReport): void {
  const keys = Object.keys(JSON.parse(firstRow) as object).map((k) => k.trim().toLowerCase());
  const missing = spec.columns.filter((c) => c.presence !== 'optional' && !keys.includes(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    throw new ContractError('EWS_MISSING_COLUMN', fileName, `${fileName} lacks required key${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }
  const known = new Set(spec.columns.map((c) => c.name));
  report.unknown_columns = keys.filter((k) => !known.has(k));
  if (report.unknown_columns.length > 0) {
    log.warn({ file: fileName, columns: report.unknown_columns }, 'unknown keys ignored');
  }
}
