import type { FileSpec, ValueType } from '../spec/index.js';
import { EMPTY, type CellValue } from './parse-value.js';

/** The day stored where a date cell is empty. */
export const NO_DAY = -2_147_483_648;
/** The code stored where an enum cell is empty. */
export const NO_CODE = 255;

export type Column =
  | { kind: 'int32'; data: Int32Array } // student index, date
  | { kind: 'float64'; data: Float64Array } // int, number: NaN when empty
  | { kind: 'uint8'; data: Uint8Array } // enum code, NO_CODE when empty
  | { kind: 'int8'; data: Int8Array } // bool: 1, 0, -1 when empty
  | { kind: 'codes'; data: Int32Array; dict: string[] } // category: -1 when empty
  | { kind: 'strings'; data: string[] } // id, text: '' when empty
  | { kind: 'lists'; data: string[][] };

/**
 * One input file held column by column: typed arrays where the values are numbers or codes,
 * so that features run as loops over arrays. `line` keeps each row's physical line.
 */
export class Table {
  constructor(
    readonly spec: FileSpec,
    readonly length: number,
    readonly line: Int32Array,
    readonly columns: ReadonlyMap<string, Column>,
  ) {}

  private get<K extends Column['kind']>(name: string, kind: K): Extract<Column, { kind: K }> {
    const c = this.columns.get(name);
    if (!c || c.kind !== kind) throw new Error(`${this.spec.name}.${name} is not a ${kind} column`);
    return c as Extract<Column, { kind: K }>;
  }

  int32(name: string): Int32Array {
    return this.get(name, 'int32').data;
  }
  float64(name: string): Float64Array {
    return this.get(name, 'float64').data;
  }
  uint8(name: string): Uint8Array {
    return this.get(name, 'uint8').data;
  }
  int8(name: string): Int8Array {
    return this.get(name, 'int8').data;
  }
  codes(name: string): { data: Int32Array; dict: string[] } {
    return this.get(name, 'codes');
  }
  strings(name: string): string[] {
    return this.get(name, 'strings').data;
  }
  lists(name: string): string[][] {
    return this.get(name, 'lists').data;
  }

  /** The rows whose `keep` flag is set, in order. */
  filter(keep: Uint8Array): Table {
    let n = 0;
    for (let i = 0; i < this.length; i++) n += keep[i];
    const idx = new Int32Array(n);
    for (let i = 0, k = 0; i < this.length; i++) if (keep[i]) idx[k++] = i;
    const cols = new Map<string, Column>();
    for (const [name, c] of this.columns) cols.set(name, pick(c, idx));
    return new Table(this.spec, n, pickTyped(this.line, idx), cols);
  }

  /** The rows at `idx`, in that order (a row may come more than once). */
  take(idx: Int32Array): Table {
    const cols = new Map<string, Column>();
    for (const [name, c] of this.columns) cols.set(name, pick(c, idx));
    return new Table(this.spec, idx.length, pickTyped(this.line, idx), cols);
  }

  /** The same rows with other line numbers (a history's segment keeps a student's place in its roll there). */
  withLines(line: Int32Array): Table {
    return new Table(this.spec, this.length, line, this.columns);
  }

  static empty(spec: FileSpec): Table {
    return new TableBuilder(spec).build();
  }

  /** Tables of one source, one after another (a source sent as several files); category codes share one dictionary. */
  static concat(spec: FileSpec, tables: readonly Table[]): Table {
    if (tables.length === 1) return tables[0];
    const n = tables.reduce((a, t) => a + t.length, 0);
    const cols = new Map<string, Column>();
    for (const { name } of spec.columns)
      cols.set(
        name,
        concatColumn(
          tables.map((t) => t.columns.get(name)!),
          n,
        ),
      );
    return new Table(
      spec,
      n,
      concatTyped(
        tables.map((t) => t.line),
        n,
      ),
      cols,
    );
  }
}

function concatTyped<T extends Int32Array | Float64Array | Uint8Array | Int8Array>(parts: readonly T[], n: number): T {
  const out = new (parts[0].constructor as new (n: number) => T)(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function concatColumn(parts: readonly Column[], n: number): Column {
  const first = parts[0];
  switch (first.kind) {
    case 'codes': {
      const dict: string[] = [];
      const codeOf = new Map<string, number>();
      const data = new Int32Array(n);
      let at = 0;
      for (const p of parts as Extract<Column, { kind: 'codes' }>[]) {
        const remap = Int32Array.from(p.dict, (v) => codeOf.get(v) ?? codeOf.set(v, dict.push(v) - 1).get(v)!);
        for (let i = 0; i < p.data.length; i++) data[at + i] = p.data[i] < 0 ? -1 : remap[p.data[i]];
        at += p.data.length;
      }
      return { kind: 'codes', data, dict };
    }
    case 'strings':
      return { kind: 'strings', data: (parts as Extract<Column, { kind: 'strings' }>[]).flatMap((p) => p.data) };
    case 'lists':
      return { kind: 'lists', data: (parts as Extract<Column, { kind: 'lists' }>[]).flatMap((p) => p.data) };
    default:
      return {
        kind: first.kind,
        data: concatTyped(
          parts.map((p) => p.data as Int32Array),
          n,
        ),
      } as Column;
  }
}

function pickTyped<T extends Int32Array | Float64Array | Uint8Array | Int8Array>(a: T, idx: Int32Array): T {
  const out = new (a.constructor as new (n: number) => T)(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = a[idx[i]];
  return out;
}

function pick(c: Column, idx: Int32Array): Column {
  switch (c.kind) {
    case 'int32':
    case 'float64':
    case 'uint8':
    case 'int8':
      return { kind: c.kind, data: pickTyped(c.data as never, idx) } as Column;
    case 'codes':
      return { kind: 'codes', data: pickTyped(c.data, idx), dict: c.dict };
    case 'strings':
      return { kind: 'strings', data: Array.from(idx, (i) => c.data[i]) };
    case 'lists':
      return { kind: 'lists', data: Array.from(idx, (i) => c.data[i]) };
  }
}

/** Appends parsed rows to growable typed columns. */
export class TableBuilder {
  private n = 0;
  private cap = 1024;
  private line = new Int32Array(this.cap);
  private readonly sinks: Sink[];

  // Numeric columns are written here directly: a call per cell through each sink was a third of reading.
  private typed: (TypedColumn | null)[] = [];
  private empties: number[] = [];

  constructor(readonly spec: FileSpec) {
    this.sinks = spec.columns.map((c) => makeSink(c.type));
    this.refreshTyped();
  }

  /** `values` in spec column order. */
  append(line: number, values: readonly CellValue[]): void {
    if (this.n === this.cap) this.grow();
    const n = this.n;
    this.line[n] = line;
    const typed = this.typed;
    for (let k = 0; k < typed.length; k++) {
      const data = typed[k];
      const v = values[k];
      if (data !== null) data[n] = v === EMPTY ? this.empties[k] : (v as number);
      else this.sinks[k].set(n, v);
    }
    this.n = n + 1;
  }

  private refreshTyped(): void {
    this.typed = this.sinks.map((s) => s.typed?.() ?? null);
    this.empties = this.sinks.map((s) => s.empty ?? 0);
  }

  get length(): number {
    return this.n;
  }

  /** Makes room for `rows` in all, at once: no doubling and copying of tens of millions of rows. */
  reserve(rows: number): void {
    if (rows <= this.cap) return;
    this.cap = rows;
    this.line = resize(this.line, this.cap);
    for (const s of this.sinks) s.grow(this.cap);
    this.refreshTyped();
  }

  private grow(): void {
    this.reserve(this.cap * 2);
  }

  build(): Table {
    const cols = new Map<string, Column>();
    this.spec.columns.forEach((c, k) => cols.set(c.name, this.sinks[k].column(this.n)));
    return new Table(this.spec, this.n, this.line.slice(0, this.n), cols);
  }
}

type TypedColumn = Int32Array | Float64Array | Uint8Array | Int8Array;

interface Sink {
  set(i: number, v: CellValue): void;
  grow(cap: number): void;
  column(n: number): Column;
  /** A numeric column's current array and its empty value, for direct writes. */
  typed?(): TypedColumn;
  empty?: number;
}

function resize<T extends TypedColumn>(a: T, cap: number): T {
  const out = new (a.constructor as new (n: number) => T)(cap);
  out.set(a);
  return out;
}

function typedSink<T extends Int32Array | Float64Array | Uint8Array | Int8Array>(
  kind: 'int32' | 'float64' | 'uint8' | 'int8',
  make: (n: number) => T,
  empty: number,
): Sink {
  let data = make(1024);
  return {
    typed: () => data,
    empty,
    set: (i, v) => void (data[i] = v === EMPTY ? empty : (v as number)),
    grow: (cap) => void (data = resize(data, cap)),
    column: (n) => ({ kind, data: data.slice(0, n) }) as Column,
  };
}

function makeSink(type: ValueType): Sink {
  switch (type.kind) {
    case 'student':
      return typedSink('int32', (n) => new Int32Array(n), -1);
    case 'date':
      return typedSink('int32', (n) => new Int32Array(n), NO_DAY);
    case 'int':
    case 'number':
      return typedSink('float64', (n) => new Float64Array(n), Number.NaN);
    case 'enum':
      return typedSink('uint8', (n) => new Uint8Array(n), NO_CODE);
    case 'bool':
      return typedSink('int8', (n) => new Int8Array(n), -1);
    case 'category': {
      let data = new Int32Array(1024);
      const dict: string[] = [];
      const codes = new Map<string, number>();
      return {
        set(i, v) {
          if (v === EMPTY) return void (data[i] = -1);
          let code = codes.get(v as string);
          if (code === undefined) {
            code = dict.push(v as string) - 1;
            codes.set(v as string, code);
          }
          data[i] = code;
        },
        grow: (cap) => void (data = resize(data, cap)),
        column: (n) => ({ kind: 'codes', data: data.slice(0, n), dict }),
      };
    }
    case 'id':
    case 'text': {
      const data: string[] = [];
      return {
        set: (i, v) => void (data[i] = v === EMPTY ? '' : (v as string)),
        grow() {},
        column: (n) => ({ kind: 'strings', data: data.slice(0, n) }),
      };
    }
    case 'list': {
      const data: string[][] = [];
      return {
        set: (i, v) => void (data[i] = v === EMPTY ? [] : (v as string[])),
        grow() {},
        column: (n) => ({ kind: 'lists', data: data.slice(0, n) }),
      };
    }
  }
}
