import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { District } from './load-district.js';
import { Table, type Column } from './read/table.js';
import { buildRoster } from './roster.js';
import { FILE_SPECS } from './spec/index.js';
import { filesStamp, Kept } from '../util/kept.js';

/**
 * Checked tables written once by the ingest stage and read by every later stage, on any
 * worker that shares the work folder: typed arrays as raw bytes (no parsing on the way back),
 * strings as JSON. Free text (family-event notes) is left out: no later stage needs it, so it
 * never leaves the ingest step.
 */
const TABLES = {
  students: 'students',
  staff: 'staff',
  attendance: 'attendance',
  grades: 'grades',
  familyEvents: 'family_events',
  subsidies: 'subsidies',
  wellbeing: 'wellbeing',
  mealCard: 'meal_card',
  outcomes: 'outcomes',
} as const;

// Notes and the roll's names and contacts stay out of a run's work folder: the store keeps contacts for the pages.
const DROPPED_TEXT = new Set(['family_events.note', 'students.name', 'students.guardian_name', 'students.guardian_phone']);

type Header = {
  spec: string;
  length: number;
  columns: { name: string; kind: Column['kind']; offset?: number; bytes?: number; strings?: unknown; dict?: string[] }[];
  lineOffset: number;
};

/** The typed array each numeric column kind is held in. */
const TYPED = { int32: Int32Array, float64: Float64Array, uint8: Uint8Array, int8: Int8Array } as const;

/** `keepText`: keep free text too (a kept history holds what schools sent; the run's work folder does not need it). */
export async function writeTable(path: string, t: Table, options: { keepText?: boolean } = {}): Promise<void> {
  const buffers: Uint8Array[] = [];
  let offset = 0;
  const place = (a: ArrayBufferView) => {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const at = offset;
    buffers.push(bytes);
    offset += bytes.byteLength;
    const pad = (8 - (offset % 8)) % 8;
    if (pad) {
      buffers.push(new Uint8Array(pad));
      offset += pad;
    }
    return { offset: at, bytes: bytes.byteLength };
  };
  const header: Header = { spec: t.spec.name, length: t.length, columns: [], lineOffset: place(t.line).offset };
  for (const [name, c] of t.columns) {
    if (c.kind === 'strings' || c.kind === 'lists') {
      const keep = options.keepText || !DROPPED_TEXT.has(`${t.spec.name}.${name}`);
      header.columns.push({ name, kind: c.kind, strings: keep ? c.data : null });
    } else if (c.kind === 'codes') {
      header.columns.push({ name, kind: c.kind, dict: c.dict, ...place(c.data) });
    } else {
      header.columns.push({ name, kind: c.kind, ...place(c.data) });
    }
  }
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32LE(json.length, 0);
  const headPad = Buffer.alloc((8 - ((8 + json.length) % 8)) % 8);
  await writeFile(path, Buffer.concat([prefix, json, headPad, ...buffers]));
}

export async function readTable(path: string): Promise<Table> {
  const file = await readFile(path);
  const jsonLength = file.readUInt32LE(0);
  const header = JSON.parse(file.subarray(8, 8 + jsonLength).toString('utf8')) as Header;
  const base = 8 + jsonLength + ((8 - ((8 + jsonLength) % 8)) % 8);
  // Copy into a fresh, aligned buffer: Buffer pools may start at an unaligned offset.
  const body = new Uint8Array(file.byteLength - base);
  body.set(file.subarray(base));
  const ab = body.buffer;
  const spec = FILE_SPECS.find((s) => s.name === header.spec)!;
  const view = (kind: Column['kind'], offset: number, n: number) => {
    if (kind === 'codes') return new Int32Array(ab, offset, n);
    if (kind in TYPED) return new TYPED[kind as keyof typeof TYPED](ab, offset, n);
    throw new Error(`no typed view for ${kind}`);
  };
  const cols = new Map<string, Column>();
  for (const c of header.columns) {
    if (c.kind === 'strings') cols.set(c.name, { kind: 'strings', data: (c.strings as string[] | null) ?? new Array(header.length).fill('') });
    else if (c.kind === 'lists') cols.set(c.name, { kind: 'lists', data: (c.strings as string[][] | null) ?? new Array(header.length).fill([]) });
    else if (c.kind === 'codes') cols.set(c.name, { kind: 'codes', data: view('codes', c.offset!, header.length) as Int32Array, dict: c.dict! });
    else cols.set(c.name, { kind: c.kind, data: view(c.kind, c.offset!, header.length) } as Column);
  }
  for (const c of spec.columns) if (!cols.has(c.name) && c.type.kind === 'text') cols.set(c.name, { kind: 'strings', data: new Array(header.length).fill('') });
  return new Table(spec, header.length, new Int32Array(ab, header.lineOffset, header.length), cols);
}

/**
 * Tables written by writeTable (one source, written in turn: a history's pulls) read as one: each
 * column's bytes go from each file straight into their place in one array — no table per file, no
 * concatenation after, which at a million students × 8 weeks was two copies of a gigabyte.
 */
export function readTablesJoined(paths: readonly string[]): { table: Table; lengths: number[] } {
  const files = paths.map((path) => {
    const fd = openSync(path, 'r');
    const prefix = Buffer.alloc(8);
    readSync(fd, prefix, 0, 8, 0);
    const jsonLength = prefix.readUInt32LE(0);
    const json = Buffer.alloc(jsonLength);
    readSync(fd, json, 0, jsonLength, 8);
    const header = JSON.parse(json.toString('utf8')) as Header;
    return { fd, header, base: 8 + jsonLength + ((8 - ((8 + jsonLength) % 8)) % 8) };
  });
  try {
    const spec = FILE_SPECS.find((x) => x.name === files[0].header.spec)!;
    const n = files.reduce((a, f) => a + f.header.length, 0);
    const into = (target: ArrayBufferView, offset: (h: Header) => number, width: number) => {
      let at = 0;
      for (const f of files) {
        const bytes = f.header.length * width;
        const view = new Uint8Array(target.buffer, target.byteOffset + at * width, bytes);
        for (let done = 0; done < bytes; ) {
          const got = readSync(f.fd, view, done, bytes - done, f.base + offset(f.header) + done);
          if (got === 0) throw new Error(`${paths[files.indexOf(f)]} is cut short`);
          done += got;
        }
        at += f.header.length;
      }
      return target;
    };
    const line = into(new Int32Array(n), (h) => h.lineOffset, 4) as Int32Array;
    const cols = new Map<string, Column>();
    for (const { name } of spec.columns) {
      const of = (h: Header) => h.columns.find((c) => c.name === name)!;
      // A text column added to the contract after a history's first pulls (students' names) reads empty there.
      const first = files.map((f) => of(f.header)).find(Boolean) ?? { name, kind: 'strings' as const, strings: null };
      if (first.kind !== 'strings' && files.some((f) => !of(f.header)))
        throw new Error(`${paths[files.findIndex((f) => !of(f.header))]} has no column ${name}: written by an older ews`);
      switch (first.kind) {
        case 'int32':
        case 'float64':
        case 'uint8':
        case 'int8': {
          const Typed = TYPED[first.kind];
          cols.set(name, { kind: first.kind, data: into(new Typed(n), (h) => of(h).offset!, Typed.BYTES_PER_ELEMENT) } as Column);
          break;
        }
        case 'codes': {
          const data = into(new Int32Array(n), (h) => of(h).offset!, 4) as Int32Array;
          // One dictionary for all: each file's codes renumbered where its dictionary differs.
          const dict: string[] = [];
          const codeOf = new Map<string, number>();
          let at = 0;
          for (const f of files) {
            const own = of(f.header).dict!;
            const remap = Int32Array.from(own, (v) => codeOf.get(v) ?? codeOf.set(v, dict.push(v) - 1).get(v)!);
            if (remap.some((v, k) => v !== k)) for (let i = at; i < at + f.header.length; i++) data[i] = data[i] < 0 ? -1 : remap[data[i]];
            at += f.header.length;
          }
          cols.set(name, { kind: 'codes', data, dict });
          break;
        }
        case 'strings':
        case 'lists': {
          const data = files.flatMap(
            (f) => (of(f.header)?.strings as unknown[] | null | undefined) ?? new Array(f.header.length).fill(first.kind === 'lists' ? [] : ''),
          );
          cols.set(name, { kind: first.kind, data } as Column);
          break;
        }
      }
    }
    return { table: new Table(spec, n, line, cols), lengths: files.map((f) => f.header.length) };
  } finally {
    for (const f of files) closeSync(f.fd);
  }
}

/**
 * readTable for a worker that takes many jobs of one run: the roll and the staff are read once,
 * and read again only when the file changes. A few tables at most, let go after a quiet spell.
 */
export async function readTableKept(path: string): Promise<Table> {
  return keptTables.get(path, await filesStamp([path]), () => readTable(path));
}

const keptTables = new Kept<Table>({ max: 8, idleMs: 10 * 60_000 });

export async function writeDistrictCache(dir: string, d: District): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(
    Object.entries(TABLES).map(([key, name]) => {
      const t = d[key as keyof typeof TABLES] as Table | null;
      return t ? writeTable(join(dir, `${name}.tbl`), t) : Promise.resolve();
    }),
  );
}

export async function readDistrictCache(dir: string): Promise<District> {
  const read = async (name: string) => (existsSync(join(dir, `${name}.tbl`)) ? readTable(join(dir, `${name}.tbl`)) : null);
  const names = Object.values(TABLES);
  const tables = await Promise.all(names.map(read));
  if (!tables[0]) throw new Error(`no checked tables in ${dir}: run the ingest stage first`);
  const byName = new Map<string, Table>();
  names.forEach((name, k) => {
    const t = tables[k];
    if (t) byName.set(name, t);
  });
  return districtOf(byName);
}

/** A district from checked tables by source name (`family_events`, …), as a run in one process holds them. */
export function districtOf(tables: ReadonlyMap<string, Table>): District {
  const get = (key: keyof typeof TABLES) => tables.get(TABLES[key]) ?? null;
  const students = get('students');
  if (!students) throw new Error('no checked students table');
  return {
    roster: buildRoster(students),
    students,
    staff: get('staff'),
    attendance: get('attendance')!,
    grades: get('grades')!,
    familyEvents: get('familyEvents')!,
    subsidies: get('subsidies')!,
    wellbeing: get('wellbeing'),
    mealCard: get('mealCard'),
    outcomes: get('outcomes'),
  };
}
