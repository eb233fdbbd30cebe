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
      return enumField(type.values, type.aliases);
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
 * A student's id, matched by its bytes against the roll's. Files sorted by student repeat the last
 * id row after row, and often name the roll's next one after it; files in date order name a new
 * student on every row, so the rest are found in a hash table of the roll's ids by their bytes,
 * never by making a string of each cell.
 */
function studentField(ctx: ParseContext): FastField | null {
  const ids = ctx.rosterIds;
  if (!ctx.roster || !ids) return null;
  const table = idBytesOf(ids);
  let lastIndex = -1;
  return (buf, pos, end, cell) => {
    let stop = table.match(lastIndex, buf, pos, end);
    if (stop < 0) stop = table.match(lastIndex + 1, buf, pos, end);
    if (stop >= 0) {
      if (table.matched !== lastIndex) lastIndex = table.matched;
      cell.value = lastIndex;
      return stop;
    }
    stop = fieldEnd(buf, pos, end);
    if (stop < 0) return -1;
    const index = table.find(buf, pos, stop);
    if (index < 0) return -1; // not on the roll, or not plainly written: the text path decides
    lastIndex = index;
    cell.value = index;
    return stop;
  };
}

const FIRST_YEAR = 1900;
// One table for every file this thread reads (a folder of a file per school is thousands): +∞ is not parsed yet.
const DAYS = new Float64Array(300 * 12 * 31).fill(Number.POSITIVE_INFINITY);

/** YYYY-MM-DD: each distinct date is parsed once, then found by its digits in a flat table. */
function dateField(today: number): FastField {
  const days = DAYS;
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

/** A value as the contract names it, or as a Chinese system does (旷课 for absent_unexcused), by its bytes. */
function enumField(values: readonly string[], aliases: Readonly<Record<string, string>> = {}): FastField {
  const names = [
    ...values.map((v, code) => ({ bytes: Buffer.from(v, 'latin1'), code })),
    ...Object.entries(aliases).map(([alias, v]) => ({ bytes: Buffer.from(alias, 'utf8'), code: values.indexOf(v) })),
  ];
  return (buf, pos, end, cell) => {
    for (const { bytes: v, code } of names) {
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

/**
 * The roll's ids as bytes, each found by an open-addressing table of FNV-1a hashes and checked byte
 * for byte. Only ids of printable ASCII without a quote take part: any other id is read on the text
 * path, which normalises it first, so the two paths agree.
 */
export class IdBytes {
  /** The roll index `match` last matched. */
  matched = -1;
  private readonly bytes: Uint8Array;
  private readonly start: Int32Array;
  private readonly plain: Uint8Array;
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(ids: readonly string[]) {
    this.bytes = Buffer.from(ids.join(''), 'latin1');
    this.start = new Int32Array(ids.length + 1);
    this.plain = new Uint8Array(ids.length);
    let size = 16;
    while (size < ids.length * 2) size *= 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size).fill(-1);
    for (let k = 0; k < ids.length; k++) {
      this.start[k + 1] = this.start[k] + ids[k].length;
      if (!PLAIN_ID.test(ids[k])) continue;
      this.plain[k] = 1;
      let h = hashBytes(this.bytes, this.start[k], this.start[k + 1]) & this.mask;
      for (; this.slots[h] >= 0; h = (h + 1) & this.mask) {
        if (this.same(this.slots[h], this.bytes, this.start[k], this.start[k + 1])) break; // a repeated id keeps its first index, as the roster does
      }
      if (this.slots[h] < 0) this.slots[h] = k;
    }
  }

  /** The roll index of the id spelt by bytes [a, b), or -1. */
  find(buf: Uint8Array, a: number, b: number): number {
    for (let h = hashBytes(buf, a, b) & this.mask; ; h = (h + 1) & this.mask) {
      const k = this.slots[h];
      if (k < 0 || this.same(k, buf, a, b)) return k;
    }
  }

  /** Where the field at `pos` ends if it is exactly roll id `k` (setting `matched`), else -1. */
  match(k: number, buf: Uint8Array, pos: number, end: number): number {
    if (k < 0 || k >= this.plain.length || this.plain[k] === 0) return -1;
    const stop = pos + this.start[k + 1] - this.start[k];
    if (stop > end || (stop < end && buf[stop] !== COMMA) || !this.same(k, buf, pos, stop)) return -1;
    this.matched = k;
    return stop;
  }

  private same(k: number, buf: Uint8Array, a: number, b: number): boolean {
    const s = this.start[k];
    if (this.start[k + 1] - s !== b - a) return false;
    // From the end: ids of one district share their leading digits (region, school) and differ last.
    for (let i = b - a - 1; i >= 0; i--) if (this.bytes[s + i] !== buf[a + i]) return false;
    return true;
  }
}

/** Printable ASCII with no quote or comma: bytes the text path reads as they are, as one field. */
const PLAIN_ID = /^[\x21\x23-\x2b\x2d-\x7e]+$/;

function hashBytes(buf: Uint8Array, a: number, b: number): number {
  let h = 0x811c9dc5;
  for (let i = a; i < b; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h;
}

// One table per roll, shared by every file read against it on this thread.
const idTables = new WeakMap<readonly string[], IdBytes>();
function idBytesOf(ids: readonly string[]): IdBytes {
  let t = idTables.get(ids);
  if (!t) idTables.set(ids, (t = new IdBytes(ids)));
  return t;
}
