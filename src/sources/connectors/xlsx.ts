import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import ExcelJS from 'exceljs';
import { EwsError } from '../../errors/index.js';
import { log } from '../../observability/index.js';
import { CsvWriter, csvCell } from '../../util/csv-write.js';
import type { Reject } from '../read/reject.js';
import { FILE_SPECS, type FileSpec } from '../spec/index.js';
import { HEADER_NAMES, SHEET_NAMES, VALUE_NAMES } from '../spec/chinese-names.js';

/** A workbook written out as a contract folder, and how to name its rows as the workbook does. */
export interface Converted {
  /** The sources found, by the sheet each came from. */
  sheets: Record<string, string>;
  /** Rows refused before they reached the contract's checks (an id Excel has rounded). */
  rejects: Reject[];
  /** A reject of the folder's files, renamed to the workbook's sheet and row. */
  where(r: Reject): Reject;
}

/** Excel keeps 15 significant digits: an id typed as a number beyond that has already lost its last ones. */
const EXACT_DIGITS = 15;

/**
 * Writes each sheet of a workbook that names a source (`attendance` or `考勤`, see chinese-names)
 * as that source's CSV in `out`, its headers and values mapped to the contract's. Other sheets are
 * skipped with a warning. Dates become ISO days, formulas their results, rich text its text. With
 * `part`, each source goes to `out/<source>/<part>.csv`: one workbook of several (a school's), read as parts.
 */
export async function workbookToFolder(book: string, out: string, options: { part?: string } = {}): Promise<Converted> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(book);
  } catch (e) {
    throw new EwsError('EWS_UNREADABLE_FILE', `${book} is not a readable .xlsx workbook (${(e as Error).message})`, { cause: e });
  }
  mkdirSync(out, { recursive: true });
  const sheets: Record<string, string> = {};
  const rejects: Reject[] = [];
  const rowOf = new Map<string, Map<number, number>>(); // source → CSV line → sheet row
  for (const ws of wb.worksheets) {
    const name = ws.name.trim();
    const source = SHEET_NAMES[name] ?? FILE_SPECS.find((s) => s.name === name.toLowerCase())?.name;
    if (!source) {
      log.warn({ file: basename(book), sheet: name }, 'sheet names no source; skipped');
      continue;
    }
    if (sheets[source]) throw new EwsError('EWS_AMBIGUOUS_SOURCE', `${book}: sheets ${sheets[source]} and ${name} both hold ${source}; keep one`);
    sheets[source] = name;
    const spec = FILE_SPECS.find((s) => s.name === source)!;
    const lines = new Map<number, number>();
    rowOf.set(source, lines);
    const where = `${basename(book)}:${name}`;
    const file = options.part ? join(out, source, `${options.part}.csv`) : join(out, `${source}.csv`);
    if (options.part) mkdirSync(join(out, source), { recursive: true });
    await writeSheet(ws, spec, file, lines, (row, column, reason) => rejects.push({ file: where, line: row, column, value: '', reason }));
  }
  if (Object.keys(sheets).length === 0) {
    throw new EwsError('EWS_NOTHING_TO_PULL', `${book} has no sheet named for a source (students/学生, attendance/考勤, grades/成绩, …)`);
  }
  return {
    sheets,
    rejects,
    where(r) {
      const source = options.part ? (r.file.endsWith(`/${options.part}.csv`) ? r.file.split('/')[0] : '') : r.file.replace(/\.(csv|jsonl)$/, '');
      const sheet = sheets[source];
      return sheet ? { ...r, file: `${basename(book)}:${sheet}`, line: rowOf.get(source)?.get(r.line) ?? r.line } : r;
    },
  };
}

async function writeSheet(
  ws: ExcelJS.Worksheet,
  spec: FileSpec,
  path: string,
  lines: Map<number, number>,
  refuse: (row: number, column: string, reason: string) => void,
): Promise<void> {
  const headerRow = ws.getRow(1);
  const headers: (string | null)[] = [];
  headerRow.eachCell({ includeEmpty: true }, (cell, col) => {
    const text = cellText(cell.value).trim();
    headers[col] = HEADER_NAMES[spec.name]?.[text] ?? text;
  });
  const columns = headers.map((h) => (h ? spec.columns.find((c) => c.name === h) : undefined));
  const values = VALUE_NAMES[spec.name] ?? {};
  const w = new CsvWriter(
    path,
    headers.filter((h, k) => k > 0 && h !== undefined).map((h) => h ?? ''),
  );
  let line = 2;
  for (let r = 2; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    if (!row.hasValues) continue;
    const cells: string[] = [];
    let refused = false;
    for (let c = 1; c < headers.length; c++) {
      if (headers[c] === undefined) continue;
      const v = row.getCell(c).value;
      const col = columns[c];
      if (col && (col.type.kind === 'id' || col.type.kind === 'student') && typeof v === 'number' && String(Math.abs(Math.trunc(v))).length > EXACT_DIGITS) {
        refuse(r, col.name, `an id typed as a number: Excel keeps ${EXACT_DIGITS} digits, so its last digits are lost; format the column as text`);
        refused = true;
        break;
      }
      let text = col?.type.kind === 'date' ? dateText(v) : cellText(v);
      const mapped = col ? values[col.name]?.[text.trim()] : undefined;
      if (mapped) text = mapped;
      cells.push(csvCell(text));
    }
    if (refused) continue;
    const record = cells.join(',');
    lines.set(line, r);
    line += 1 + (record.match(/\n/g)?.length ?? 0);
    w.raw(`${record}\n`);
  }
  await w.close();
}

/** A cell as the text a CSV export would hold. */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (v instanceof Date) return dateText(v);
  if ('richText' in v) return v.richText.map((t) => t.text).join('');
  if ('result' in v) return cellText((v.result ?? null) as ExcelJS.CellValue);
  if ('text' in v) return String(v.text);
  if ('error' in v) return '';
  return String(v);
}

/** Excel holds a date as a day in UTC: its ISO day, whatever the machine's time zone. */
function dateText(v: ExcelJS.CellValue): string {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  if (v && typeof v === 'object' && 'result' in v) return dateText((v.result ?? null) as ExcelJS.CellValue);
  return cellText(v);
}
