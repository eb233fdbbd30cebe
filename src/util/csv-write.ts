import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' && !Number.isFinite(v) ? '' : String(v);
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly unknown[]): string {
  return values.map(csvCell).join(',') + '\n';
}

// A cell Excel or WPS would read as a formula (or a DDE call): =, +, -, @, and a leading tab or CR.
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell of a file meant to be opened in a spreadsheet: text that would start a formula gets a
 * leading apostrophe, so an id or a note a school wrote as `=HYPERLINK(…)` shows as text. Numbers
 * stay numbers. Machine outputs (scores.csv, rejects.csv) keep values as sent and use csvCell.
 */
export function spreadsheetCell(v: unknown): string {
  return typeof v === 'string' && FORMULA_START.test(v) ? csvCell(`'${v}`) : csvCell(v);
}

/** A line of a file meant for a spreadsheet (the weekly lists): see spreadsheetCell. */
export function spreadsheetLine(values: readonly unknown[]): string {
  return values.map(spreadsheetCell).join(',') + '\n';
}

/**
 * A buffered CSV file writer. `bom` is for files people open in Excel (it reads UTF-8 with a
 * BOM as UTF-8, and without one as the local code page); machine outputs go without.
 */
export class CsvWriter {
  private readonly out: WriteStream;
  private pending: string[] = [];
  private size = 0;

  constructor(path: string, header: readonly string[], options: { bom?: boolean } = {}) {
    this.out = createWriteStream(path);
    this.pending.push((options.bom ? '\uFEFF' : '') + csvLine(header));
  }

  row(values: readonly unknown[]): void {
    const line = csvLine(values);
    this.pending.push(line);
    this.size += line.length;
    if (this.size > 1 << 16) this.flush();
  }

  /** Writes a line already formatted (the hot path of the generator). */
  raw(line: string): void {
    this.pending.push(line);
    this.size += line.length;
    if (this.size > 1 << 16) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.out.write(this.pending.join(''));
    this.pending = [];
    this.size = 0;
  }

  async close(): Promise<void> {
    this.flush();
    this.out.end();
    await finished(this.out);
  }
}
