import { formatDay, parseDay } from '../../dates/index.js';
import type { ValueType } from '../spec/index.js';

/** Why a cell was refused. A class, so a parsed value can never be mistaken for one. */
export class Refusal {
  constructor(readonly reason: string) {}
}

/** The empty cell: a missing value where the column allows one. */
export const EMPTY = Symbol('empty');

export type CellValue = number | string | string[] | typeof EMPTY;

export interface ParseContext {
  /** student_id → roster index, once students.csv has been read. */
  readonly roster?: ReadonlyMap<string, number>;
  /** The roster's ids in order: files that list students in the roll's order are matched without lookups. */
  readonly rosterIds?: readonly string[];
  /** The last real date: rows dated after it are impossible (a date in the future). */
  readonly today: number;
}

const MAX_ID = 128;
const MAX_TEXT = 4096;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const EXCEL_SERIAL = /^\d{5}(\.\d+)?$/;
const TRUE = new Set(['1', 'true', 'yes', 'y', '是', 't']);
const FALSE = new Set(['0', 'false', 'no', 'n', '否', 'f']);

/** Trims, folds full-width forms (Ｓ００１, ２０２５／９／１) to ASCII, and flags undecodable bytes. */
export function normaliseCell(raw: string): string {
  let s = raw.trim();
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 127) {
      s = s.normalize('NFKC').trim();
      break;
    }
  }
  return s;
}

export function parseCell(type: ValueType, raw: string, ctx: ParseContext): CellValue | Refusal {
  if (raw.includes('\uFFFD')) return new Refusal('holds bytes that are not text in the detected encoding');
  const s = normaliseCell(raw);
  if (s === '') return EMPTY;
  switch (type.kind) {
    case 'id':
    case 'category':
      return s.length > MAX_ID ? new Refusal(`longer than ${MAX_ID} characters`) : s;
    case 'text':
      return s.length > MAX_TEXT ? new Refusal(`longer than ${MAX_TEXT} characters`) : s;
    case 'student': {
      if (s.length > MAX_ID) return new Refusal(`longer than ${MAX_ID} characters`);
      const index = ctx.roster?.get(s);
      return index === undefined ? new Refusal('unknown student_id: students.csv does not hold it') : index;
    }
    case 'date': {
      const day = parseDay(s);
      if (Number.isNaN(day)) {
        return new Refusal(EXCEL_SERIAL.test(s) ? 'looks like an Excel date serial; dates must be YYYY-MM-DD' : 'not a date (YYYY-MM-DD or YYYY/MM/DD)');
      }
      return day > ctx.today ? new Refusal(`a date in the future (after ${formatDay(ctx.today)})`) : day;
    }
    case 'int':
    case 'number': {
      if (!NUMBER.test(s)) return new Refusal('not a number');
      const v = Number(s);
      if (type.kind === 'int') {
        if (!Number.isInteger(v)) return new Refusal('not a whole number');
        if (v < type.min || v > type.max) return new Refusal(`outside ${type.min}..${type.max}`);
        return v;
      }
      if (type.min !== undefined && v < type.min) return new Refusal(`below ${type.min}`);
      if (type.above !== undefined && v <= type.above) return new Refusal(`must be above ${type.above}`);
      return v;
    }
    case 'enum': {
      let code = type.values.indexOf(s);
      if (code < 0) code = type.values.indexOf(s.toLowerCase());
      if (code < 0) code = type.values.indexOf(s.toUpperCase());
      if (code < 0 && type.aliases?.[s] !== undefined) code = type.values.indexOf(type.aliases[s]);
      return code < 0 ? new Refusal(`not one of ${type.values.join(', ')}`) : code;
    }
    case 'bool': {
      const k = s.toLowerCase();
      if (TRUE.has(k)) return 1;
      if (FALSE.has(k)) return 0;
      return new Refusal('not a boolean (1/0, true/false, yes/no, 是/否)');
    }
    case 'list':
      return s
        .split(';')
        .map((x) => x.trim())
        .filter((x) => x !== '');
  }
}
