import type { ColumnSpec, FileSpec, ValueType } from '../spec/index.js';
import { parseDay } from '../../dates/index.js';
import { EMPTY, parseCell, Refusal, type CellValue, type ParseContext } from './parse-value.js';

/**
 * Reads a quote-free CSV line straight from its UTF-8 bytes into parsed values, without making a
 * string per cell. It only ever accepts: a cell it does not recognise as plainly valid is handed
 * to `parseCell` as text, and a line that would be refused (or holds a quote) is left to the text
 * path, which reads it exactly as before and names the reason. So the two paths agree on every
 * input, and the bad-input corpus proves it (tests/sources/fast-row.test.ts).
 */
export type FastRow = (buf: Uint8Array, start: number, end: number, values: CellValue[]) => boolean;

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const MAX_FIELDS = 64;
/** Below a space: a cell starting or ending with one would be trimmed, which the text path does. */
const SPACE = 32;

type CellReader = (buf: Uint8Array, a: number, b: number) => CellValue | Refusal;

export function compileFastRow(
  spec: FileSpec,
  fieldOf: Int32Array,
  headerLength: number,
  ctx: ParseContext,
): FastRow | null {
  if (headerLength > MAX_FIELDS) return null;
  const readers = spec.columns.map((c) => cellReader(c, ctx));
  const starts = new Int32Array(MAX_FIELDS + 1);
  const ends = new Int32Array(MAX_FIELDS + 1);
  const columns = spec.columns.length;
  const checks = spec.checks ?? [];
  let current: CellValue[] = [];
  const index = new Map(spec.columns.map((c, k) => [c.name, k]));
  const valueOf = (name: string) => current[index.get(name)!];

  return (buf, start, end, values) => {
    let n = 0;
    starts[0] = start;
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c === COMMA) {
        ends[n] = i;
        if (++n >= headerLength) return false; // too many fields: the text path refuses the row
        starts[n] = i + 1;
      } else if (c === QUOTE || c === CR) {
        return false;
      }
    }
    ends[n] = end;
    n++;
    if (n === 1 && end === start) return false; // a blank line
    for (let k = 0; k < columns; k++) {
      const at = fieldOf[k];
      const v = at >= 0 && at < n ? readers[k](buf, starts[at], ends[at]) : readers[k](buf, 0, 0);
      if (v instanceof Refusal) return false;
      values[k] = v;
    }
    if (checks.length > 0) {
      current = values;
      for (const check of checks) if (check(valueOf)) return false;
    }
    return true;
  };
}

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
  let s = '';
  for (let i = a; i < b; i++) s += String.fromCharCode(buf[i]);
  return s;
}

function cellReader(column: ColumnSpec, ctx: ParseContext): CellReader {
  const type = column.type;
  const slow: CellReader = (buf, a, b) => {
    const v = parseCell(type, asText(buf, a, b), ctx);
    return v === EMPTY && column.presence === 'value' ? new Refusal('a required value is empty') : v;
  };
  const empty: CellValue | Refusal = column.presence === 'value' ? new Refusal('a required value is empty') : EMPTY;
  const fast = fastReader(type, ctx);
  if (!fast) return slow;
  return (buf, a, b) => {
    if (a === b) return empty;
    const v = fast(buf, a, b);
    return v === undefined ? slow(buf, a, b) : v;
  };
}

/** The common case of each type from bytes, or undefined to let parseCell decide. */
type FastReader = (buf: Uint8Array, a: number, b: number) => CellValue | undefined;

function fastReader(type: ValueType, ctx: ParseContext): FastReader | null {
  switch (type.kind) {
    case 'student':
      return studentReader(ctx);
    case 'date':
      return dateReader(ctx.today);
    case 'enum':
      return enumReader(type.values);
    case 'category':
      return memoReader(type, ctx);
    case 'int':
    case 'number':
      return numberReader(type);
    case 'bool':
      return (buf, a, b) => (b - a === 1 && (buf[a] === 48 || buf[a] === 49) ? buf[a] - 48 : undefined);
    default:
      return null;
  }
}

/** Rows come grouped by student, so the last id read is usually the next one too. */
function studentReader(ctx: ParseContext): FastReader | null {
  const roster = ctx.roster;
  if (!roster) return null;
  const last = new Uint8Array(128);
  let lastLength = -1;
  let lastIndex = -1;
  return (buf, a, b) => {
    const len = b - a;
    if (len === lastLength) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (buf[a + i] !== last[i]) {
          same = false;
          break;
        }
      }
      if (same) return lastIndex;
    }
    if (len > 128 || !plain(buf, a, b)) return undefined;
    const index = roster.get(latin1(buf, a, b));
    if (index === undefined) return undefined;
    last.set(buf.subarray(a, b));
    lastLength = len;
    lastIndex = index;
    return index;
  };
}

/** YYYY-MM-DD, keyed by its digits so each distinct date is parsed once. */
function dateReader(today: number): FastReader {
  const days = new Map<number, number>();
  return (buf, a, b) => {
    if (b - a !== 10 || buf[a + 4] !== 45 || buf[a + 7] !== 45) return undefined;
    let key = 0;
    for (let i = a; i < b; i++) {
      if (i === a + 4 || i === a + 7) continue;
      const d = buf[i] - 48;
      if (d < 0 || d > 9) return undefined;
      key = key * 10 + d;
    }
    let day = days.get(key);
    if (day === undefined) {
      day = parseDay(latin1(buf, a, b));
      days.set(key, day);
    }
    return Number.isNaN(day) || day > today ? undefined : day;
  };
}

function enumReader(values: readonly string[]): FastReader {
  const bytes = values.map((v) => Buffer.from(v, 'latin1'));
  return (buf, a, b) => {
    const len = b - a;
    for (let code = 0; code < bytes.length; code++) {
      const v = bytes[code];
      if (v.length !== len) continue;
      let i = 0;
      while (i < len && buf[a + i] === v[i]) i++;
      if (i === len) return code;
    }
    return undefined;
  };
}

/**
 * Short text that repeats (periods, terms, subjects such as 语文): each distinct byte string is
 * parsed once, by parseCell, and remembered under a hash of its bytes, checked byte for byte.
 */
function memoReader(type: ValueType, ctx: ParseContext): FastReader {
  const memo = new Map<number, { bytes: Uint8Array; value: CellValue }>();
  return (buf, a, b) => {
    const len = b - a;
    if (len > 48) return undefined;
    let hash = 0x811c9dc5;
    for (let i = a; i < b; i++) hash = Math.imul(hash ^ buf[i], 0x01000193);
    const hit = memo.get(hash);
    if (hit && hit.bytes.length === len) {
      let i = 0;
      while (i < len && hit.bytes[i] === buf[a + i]) i++;
      if (i === len) return hit.value;
    }
    const v = parseCell(type, asText(buf, a, b), ctx);
    if (v instanceof Refusal || v === EMPTY) return undefined;
    if (memo.size < 4096) memo.set(hash, { bytes: buf.slice(a, b), value: v });
    return v;
  };
}

/**
 * Plain decimals (`87`, `-3`, `92.5`) computed exactly: the digits as one integer divided by a power
 * of ten is one correctly rounded division of exact values, the same double `Number(text)` gives.
 */
function numberReader(type: Extract<ValueType, { kind: 'int' | 'number' }>): FastReader {
  return (buf, a, b) => {
    let i = a;
    let negative = false;
    if (buf[i] === 45) {
      negative = true;
      i++;
    }
    let digits = 0;
    let scale = 0;
    let mantissa = 0;
    let point = false;
    for (; i < b; i++) {
      const c = buf[i];
      if (c === 46 && !point) {
        point = true;
        continue;
      }
      const d = c - 48;
      if (d < 0 || d > 9) return undefined;
      mantissa = mantissa * 10 + d;
      digits++;
      if (point) scale++;
    }
    if (digits === 0 || digits > 15) return undefined;
    let v = scale === 0 ? mantissa : mantissa / POW10[scale];
    if (negative) v = -v;
    if (type.kind === 'int') {
      return Number.isInteger(v) && v >= type.min && v <= type.max ? v : undefined;
    }
    if (type.min !== undefined && v < type.min) return undefined;
    if (type.above !== undefined && v <= type.above) return undefined;
    return v;
  };
}

const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);
