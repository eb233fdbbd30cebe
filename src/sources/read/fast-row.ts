import type { ColumnSpec, FileSpec, ValueType } from '../spec/index.js';
import { parseDay } from '../../dates/index.js';
import { EMPTY, parseCell, Refusal, type CellValue, type ParseContext } from './parse-value.js';

/**
 * Reads a quote-free CSV line straight from its UTF-8 bytes into parsed values, in one pass and
 * without making a string per cell. It only ever accepts: a cell it does not recognise as plainly
 * valid is handed to `parseCell` as text, and a line that would be refused (or holds a quote or a
 * stray CR) is left to the text path, which reads it exactly as before and names the reason. So the
 * two paths agree on every input (tests/sources/byte-path.test.ts).
 */
export type FastRow = (buf: Uint8Array, start: number, end: number, values: CellValue[]) => boolean;

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const MAX_FIELDS = 64;
/** Up to a space: a cell starting or ending with one would be trimmed, which the text path does. */
const SPACE = 32;

/** What a cell reader gives for a cell the row must be refused for (the text path will say why). */
const REFUSE = Symbol('refuse');

/** Where a field's reader leaves its value. */
interface Cell {
  value: CellValue;
}

/**
 * Reads the field that starts at `pos`: returns where it stops (its comma, or `end`) with the
 * value in `cell`, or -1 when the line must go to the text path.
 */
type FieldReader = (buf: Uint8Array, pos: number, end: number) => number;

/** A type's common case, read while finding the field's end; -1 when it is not that case. */
type FastField = (buf: Uint8Array, pos: number, end: number, cell: Cell) => number;

export function compileFastRow(spec: FileSpec, fieldOf: Int32Array, headerLength: number, ctx: ParseContext): FastRow | null {
  if (headerLength > MAX_FIELDS) return null;
  const cell: Cell = { value: EMPTY };
  const target = new Int32Array(headerLength).fill(-1); // header position → spec column
  spec.columns.forEach((_, k) => {
    if (fieldOf[k] >= 0) target[fieldOf[k]] = k;
  });
  const readers: FieldReader[] = Array.from(target, (k) => (k >= 0 ? fieldReader(spec.columns[k], ctx, cell) : skipField));
  const emptyOf = spec.columns.map((c) => (c.presence === 'value' ? REFUSE : EMPTY));
  const absent = spec.columns.map((_, k) => k).filter((k) => fieldOf[k] < 0);
  const checks = spec.checks ?? [];
  let current: CellValue[] = [];
  const index = new Map(spec.columns.map((c, k) => [c.name, k]));
  const valueNamed = (name: string) => current[index.get(name)!];

  return (buf, start, end, values) => {
    if (start === end) return false; // a blank line
    let pos = start;
    let j = 0;
    while (j < headerLength) {
      const stop = readers[j](buf, pos, end);
      if (stop < 0) return false;
      const k = target[j++];
      if (k >= 0) values[k] = cell.value;
      if (stop === end) break;
      if (j === headerLength) return false; // more fields than the header: the text path refuses the row
      pos = stop + 1;
    }
    for (; j < headerLength; j++) {
      const k = target[j];
      if (k < 0) continue;
      if (emptyOf[k] === REFUSE) return false;
      values[k] = EMPTY; // a short row: the fields it lacks are empty
    }
    for (const k of absent) values[k] = EMPTY;
    if (checks.length > 0) {
      current = values;
      for (const check of checks) if (check(valueNamed)) return false;
    }
    return true;
  };
}

/** The end of the field at `pos` (its comma or `end`), or -1 if it holds a quote or a CR. */
function fieldEnd(buf: Uint8Array, pos: number, end: number): number {
  for (let i = pos; i < end; i++) {
    const c = buf[i];
    if (c === COMMA) return i;
    if (c === QUOTE || c === CR) return -1;
  }
  return end;
}

const skipField: FieldReader = (buf, pos, end) => fieldEnd(buf, pos, end);

// ignoreBOM: a U+FEFF inside a line stays, as it does on the text path (where trimming removes it).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function asText(buf: Uint8Array, a: number, b: number): string {
  return decoder.decode(buf.subarray(a, b));
}

/** A cell whose bytes are ASCII with nothing to trim: what parseCell would see after normalising. */
function plain(buf: Uint8Array, a: number, b: number): boolean {
  if (buf[a] <= SPACE || buf[b - 1] <= SPACE) return false;
  for (let i = a; i < b; i++) if (buf[i] > 126) return false;
  return true;
}

function latin1(buf: Uint8Array, a: number, b: number): string {
  return String.fromCharCode.apply(null, buf.subarray(a, b) as unknown as number[]); // flat, unlike `+=`
}

/** True when the field that ends at `p` really ends there. */
function ends(buf: Uint8Array, p: number, end: number): boolean {
  return p === end || buf[p] === COMMA;
}

function fieldReader(column: ColumnSpec, ctx: ParseContext, cell: Cell): FieldReader {
  const type = column.type;
  const empty = column.presence === 'value' ? REFUSE : EMPTY;
  const fast = fastField(type, ctx);
  return (buf, pos, end) => {
    if (pos === end || buf[pos] === COMMA) {
      if (empty === REFUSE) return -1;
      cell.value = EMPTY;
      return pos;
    }
    if (fast) {
      const stop = fast(buf, pos, end, cell);
      if (stop >= 0) return stop;
    }
    // Not the common case: the text path's own cell parser decides.
    const stop = fieldEnd(buf, pos, end);
    if (stop < 0) return -1;
    const v = parseCell(type, asText(buf, pos, stop), ctx);
    if (v instanceof Refusal || (v === EMPTY && empty === REFUSE)) return -1;
    cell.value = v;
    return stop;
  };
}

function fastField(type: ValueType, ctx: ParseContext): FastField | null {
  switch (type.kind) {
    case 'student':
      return studentField(ctx);
    case 'date':
      return dateField(ctx.today);
    case 'enum':
      return enumField(type.values);
    case 'category':
      return memoField(type, ctx);
    case 'int':
    case 'number':
      return numberField(type);
    case 'bool':
      return (buf, pos, end, cell) => {
        const c = buf[pos];
        if ((c !== 48 && c !== 49) || !ends(buf, pos + 1, end)) return -1;
        cell.value = c - 48;
        return pos + 1;
      };
    default:
      return null;
  }
}

/**
 * Rows come grouped by student, usually in the roll's order: the last id read is most often the
 * next one too, and the roll's next id the one after; only the rest are looked up.
 */
function studentField(ctx: ParseContext): FastField | null {
  const roster = ctx.roster;
  if (!roster) return null;
  const ids = ctx.rosterIds;
  const last = new Uint8Array(128);
  let lastLength = 0;
  let lastIndex = -1;
  return (buf, pos, end, cell) => {
    const len = lastLength;
    if (len > 0 && pos + len <= end) {
      let i = 0;
      while (i < len && buf[pos + i] === last[i]) i++;
      if (i === len && ends(buf, pos + len, end)) {
        cell.value = lastIndex;
        return pos + len;
      }
    }
    const stop = fieldEnd(buf, pos, end);
    if (stop < 0 || stop - pos > 128 || !plain(buf, pos, stop)) return -1;
    let index: number | undefined;
    const next = ids?.[lastIndex + 1];
    if (next !== undefined && sameAscii(next, buf, pos, stop)) index = lastIndex + 1;
    else index = roster.get(latin1(buf, pos, stop));
    if (index === undefined) return -1;
    last.set(buf.subarray(pos, stop));
    lastLength = stop - pos;
    lastIndex = index;
    cell.value = index;
    return stop;
  };
}

/** The bytes [a, b), known to be ASCII, spell `s`. */
function sameAscii(s: string, buf: Uint8Array, a: number, b: number): boolean {
  if (s.length !== b - a) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== buf[a + i]) return false;
  return true;
}

/** YYYY-MM-DD: each distinct date is parsed once, then found by its digits in a flat table. */
function dateField(today: number): FastField {
  const FIRST_YEAR = 1900;
  const days = new Float64Array(300 * 12 * 31).fill(Number.POSITIVE_INFINITY); // +∞: not parsed yet
  return (buf, a, end, cell) => {
    if (a + 10 > end || buf[a + 4] !== 45 || buf[a + 7] !== 45 || !ends(buf, a + 10, end)) return -1;
    for (let i = 0; i < 10; i++) if (i !== 4 && i !== 7 && (buf[a + i] < 48 || buf[a + i] > 57)) return -1;
    const y = (buf[a] - 48) * 1000 + (buf[a + 1] - 48) * 100 + (buf[a + 2] - 48) * 10 + (buf[a + 3] - 48) - FIRST_YEAR;
    const m = (buf[a + 5] - 48) * 10 + (buf[a + 6] - 48) - 1;
    const d = (buf[a + 8] - 48) * 10 + (buf[a + 9] - 48) - 1;
    if (y < 0 || y >= 300 || m < 0 || m >= 12 || d < 0 || d >= 31) return -1;
    const key = (y * 12 + m) * 31 + d;
    let day = days[key];
    if (day === Number.POSITIVE_INFINITY) days[key] = day = parseDay(latin1(buf, a, a + 10));
    if (Number.isNaN(day) || day > today) return -1;
    cell.value = day;
    return a + 10;
  };
}

function enumField(values: readonly string[]): FastField {
  const bytes = values.map((v) => Buffer.from(v, 'latin1'));
  return (buf, pos, end, cell) => {
    for (let code = 0; code < bytes.length; code++) {
      const v = bytes[code];
      const len = v.length;
      if (pos + len > end) continue;
      let i = 0;
      while (i < len && buf[pos + i] === v[i]) i++;
      if (i === len && ends(buf, pos + len, end)) {
        cell.value = code;
        return pos + len;
      }
    }
    return -1;
  };
}

/**
 * Short text that repeats (periods, terms, subjects such as 语文): each distinct byte string is
 * parsed once, by parseCell, and remembered under a hash of its bytes, checked byte for byte.
 */
function memoField(type: ValueType, ctx: ParseContext): FastField {
  const memo = new Map<number, { bytes: Uint8Array; value: CellValue }>();
  // Files come sorted: a school, class or term repeats row after row, so the last value is tried first.
  let last: { bytes: Uint8Array; value: CellValue } | undefined;
  return (buf, pos, end, cell) => {
    if (last) {
      const n = last.bytes.length;
      const stop = pos + n;
      if (stop <= end && (stop === end || buf[stop] === COMMA)) {
        let i = 0;
        while (i < n && last.bytes[i] === buf[pos + i]) i++;
        if (i === n) {
          cell.value = last.value;
          return stop;
        }
      }
    }
    let hash = 0x811c9dc5;
    let stop = pos;
    for (; stop < end; stop++) {
      const c = buf[stop];
      if (c === COMMA) break;
      if (c === QUOTE || c === CR || stop - pos > 48) return -1;
      hash = Math.imul(hash ^ c, 0x01000193);
    }
    const len = stop - pos;
    const hit = memo.get(hash);
    if (hit && hit.bytes.length === len) {
      let i = 0;
      while (i < len && hit.bytes[i] === buf[pos + i]) i++;
      if (i === len) {
        cell.value = hit.value;
        last = hit;
        return stop;
      }
    }
    const v = parseCell(type, asText(buf, pos, stop), ctx);
    if (v instanceof Refusal || v === EMPTY) return -1;
    const entry = { bytes: buf.slice(pos, stop), value: v };
    if (memo.size < 4096) memo.set(hash, entry);
    last = entry;
    cell.value = v;
    return stop;
  };
}

/**
 * Plain decimals (`87`, `-3`, `92.5`) computed exactly: the digits as one integer divided by a power
 * of ten is one correctly rounded division of exact values, the same double `Number(text)` gives.
 */
function numberField(type: Extract<ValueType, { kind: 'int' | 'number' }>): FastField {
  return (buf, pos, end, cell) => {
    let i = pos;
    let negative = false;
    if (buf[i] === 45) {
      negative = true;
      i++;
    }
    let digits = 0;
    let scale = 0;
    let mantissa = 0;
    let point = false;
    for (; i < end; i++) {
      const c = buf[i];
      if (c === COMMA) break;
      if (c === 46 && !point) {
        point = true;
        continue;
      }
      const d = c - 48;
      if (d < 0 || d > 9) return -1;
      mantissa = mantissa * 10 + d;
      digits++;
      if (point) scale++;
    }
    if (digits === 0 || digits > 15) return -1;
    let v = scale === 0 ? mantissa : mantissa / POW10[scale];
    if (negative) v = -v;
    if (type.kind === 'int') {
      if (!Number.isInteger(v) || v < type.min || v > type.max) return -1;
    } else if ((type.min !== undefined && v < type.min) || (type.above !== undefined && v <= type.above)) {
      return -1;
    }
    cell.value = v;
    return i;
  };
}

const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);
