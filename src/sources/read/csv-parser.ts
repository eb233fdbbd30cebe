/**
 * A lean streaming CSV parser (RFC 4180, comma, `"` quotes) that knows the physical line
 * every record starts on — what a rejects file must name — and never loses the rest of a
 * file to one broken quote: a quoted field still open at the end of the file, or longer
 * than `maxFieldChars`, is reported at its line and reading resumes on the next line.
 */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

export interface CsvBroken {
  readonly line: number;
  readonly error: string;
}

export type CsvItem = CsvRecord | CsvBroken;

/**
 * Receives records as they are parsed. `fields` is reused for the next record: read it (or copy
 * it) during the call. This keeps the hot path free of per-record arrays and objects.
 */
export interface RecordSink {
  record(line: number, fields: readonly string[], count: number): void;
  broken(line: number, error: string): void;
  /**
   * Offered each quote-free line of a UTF-8 file as raw bytes (`end` before any CR), before any
   * text is made of it. Returns true if it took the line; false sends it down the text path.
   */
  bytes?(line: number, buf: Uint8Array, start: number, end: number): boolean;
}

/** A sink that keeps copies of the records in an array (for tests and small inputs). */
export function collectInto(out: CsvItem[]): RecordSink {
  return {
    record: (line, fields, count) => void out.push({ line, fields: fields.slice(0, count) }),
    broken: (line, error) => void out.push({ line, error }),
  };
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

export class CsvParser {
  private buf = '';
  private line = 1; // physical line of buf[0]
  private skipping = false; // inside an over-long line that was already reported
  private readonly maxFieldChars: number;

  constructor(options: { maxFieldChars?: number } = {}) {
    this.maxFieldChars = options.maxFieldChars ?? 1 << 20;
  }

  private readonly fields: string[] = [];

  /** True when no record is half read: the next input starts a new record. */
  get idle(): boolean {
    return this.buf.length === 0 && !this.skipping;
  }

  /** The physical line the next input starts on. */
  get nextLine(): number {
    return this.line;
  }

  /** Moves on to `line` when lines were read elsewhere (the byte path); only while idle. */
  skipTo(line: number): void {
    if (!this.idle) throw new Error('CsvParser.skipTo while a record is half read');
    this.line = line;
  }

  /** Feeds decoded text; complete records go to `out`. */
  push(text: string, out: CsvItem[] | RecordSink): void {
    if (this.skipping) {
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      this.skipping = false;
      text = text.slice(nl + 1);
    }
    this.buf = this.buf.length === 0 ? text : this.buf + text;
    this.drain(Array.isArray(out) ? collectInto(out) : out, false);
  }

  /** Flushes what is left at the end of the input. */
  end(out: CsvItem[] | RecordSink): void {
    this.drain(Array.isArray(out) ? collectInto(out) : out, true);
    this.buf = '';
  }

  private drain(sink: RecordSink, atEnd: boolean): void {
    const s = this.buf;
    const fields = this.fields;
    let pos = 0;
    let nextQuote = s.indexOf('"');
    let nextCr = s.indexOf('\r');
    while (pos < s.length) {
      const startLine = this.line;
      // Fast path: a whole line with no quote in it splits on commas, allocating only the values.
      const nl = s.indexOf('\n', pos);
      if (nextQuote >= 0 && nextQuote < pos) nextQuote = s.indexOf('"', pos);
      if (nextCr >= 0 && nextCr < pos) nextCr = s.indexOf('\r', pos);
      const loneCr = nextCr >= 0 && nextCr < nl - 1; // an old Mac line end inside: the slow path splits it
      if (nl >= 0 && (nextQuote < 0 || nextQuote > nl) && !loneCr && nl - pos <= this.maxFieldChars) {
        let end = nl;
        if (end > pos && s.charCodeAt(end - 1) === CR) end--;
        let n = 0;
        let from = pos;
        for (;;) {
          const comma = s.indexOf(',', from);
          if (comma < 0 || comma >= end) {
            fields[n++] = s.slice(from, end);
            break;
          }
          fields[n++] = s.slice(from, comma);
          from = comma + 1;
        }
        this.line++;
        pos = nl + 1;
        if (!(n === 1 && fields[0].trim() === '')) sink.record(startLine, fields, n);
        continue;
      }
      const r = parseRecord(s, pos, atEnd, this.maxFieldChars);
      if (r.kind === 'incomplete') break;
      if (r.kind === 'broken') {
        // Skip only the record's first physical line, so later lines are read again.
        const nl = s.indexOf('\n', pos);
        sink.broken(startLine, r.error);
        this.line += 1;
        if (nl < 0 && !atEnd) this.skipping = true;
        pos = nl < 0 ? s.length : nl + 1;
        continue;
      }
      this.line += r.newlines;
      pos = r.next;
      if (!(r.fields.length === 1 && r.fields[0].trim() === '')) sink.record(startLine, r.fields, r.fields.length);
    }
    this.buf = pos === 0 ? s : s.slice(pos);
  }
}

type Parsed = { kind: 'record'; fields: string[]; next: number; newlines: number } | { kind: 'incomplete' } | { kind: 'broken'; error: string };

function parseRecord(s: string, start: number, atEnd: boolean, maxField: number): Parsed {
  const fields: string[] = [];
  const n = s.length;
  let i = start;
  let newlines = 0;
  for (;;) {
    if (i < n && s.charCodeAt(i) === QUOTE) {
      // Quoted field: "" is a literal quote; text after the closing quote is kept (lenient).
      let value = '';
      let from = i + 1;
      let j = from;
      for (;;) {
        const q = s.indexOf('"', j);
        if (q < 0 || q === n - 1) {
          if (q === n - 1 && atEnd) {
            value += s.slice(from, q);
            i = q + 1;
            break;
          }
          if (n - i > maxField) return { kind: 'broken', error: `a quoted field is longer than ${maxField} characters or its quote is never closed` };
          if (atEnd) return { kind: 'broken', error: 'a quote is opened and never closed before the end of the file' };
          return { kind: 'incomplete' };
        }
        if (s.charCodeAt(q + 1) === QUOTE) {
          value += s.slice(from, q + 1);
          j = from = q + 2;
          continue;
        }
        value += s.slice(from, q);
        i = q + 1;
        break;
      }
      if (i - start > maxField) return { kind: 'broken', error: `a quoted field is longer than ${maxField} characters` };
      for (let k = 0; k < value.length; k++) if (value.charCodeAt(k) === LF) newlines++;
      // Lenient: characters between the closing quote and the delimiter are appended.
      let tail = i;
      while (tail < n) {
        const c = s.charCodeAt(tail);
        if (c === COMMA || c === LF || c === CR) break;
        tail++;
      }
      if (tail === n && !atEnd) return { kind: 'incomplete' };
      if (tail > i) value += s.slice(i, tail);
      fields.push(value);
      i = tail;
    } else {
      let j = i;
      while (j < n) {
        const c = s.charCodeAt(j);
        if (c === COMMA || c === LF || c === CR) break;
        j++;
      }
      if (j === n && !atEnd) {
        if (n - start > maxField) return { kind: 'broken', error: `a line is longer than ${maxField} characters` };
        return { kind: 'incomplete' };
      }
      fields.push(s.slice(i, j));
      i = j;
    }
    if (i >= n) return { kind: 'record', fields, next: n, newlines };
    const c = s.charCodeAt(i);
    if (c === COMMA) {
      i++;
      continue;
    }
    // End of record: LF, CRLF or a lone CR.
    if (c === CR) {
      if (i + 1 >= n && !atEnd) return { kind: 'incomplete' };
      i += s.charCodeAt(i + 1) === LF ? 2 : 1;
    } else {
      i++;
    }
    return { kind: 'record', fields, next: i, newlines: newlines + 1 };
  }
}
