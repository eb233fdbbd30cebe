import { firstIndexOf } from './string-index.js';
import type { Table } from './table.js';

/**
 * Finds rows that repeat an earlier row's key (`spec.unique`), in file order, so the first
 * stays and each repeat can be refused naming the row (and so the line) it repeats. Keys are packed into one
 * number where they fit (a native sort, no per-row strings); strings otherwise.
 */
export function findRepeats(table: Table): Map<number, number> {
  const repeats = new Map<number, number>(); // row → the first row with that key
  const keyCols = table.spec.unique;
  if (!keyCols || table.length === 0) return repeats;
  const parts = keyCols.map((name) => keyPart(table, name));
  const span = parts.reduce((acc, p) => acc * p.range, 1);
  const n = table.length;
  if (span < Number.MAX_SAFE_INTEGER) {
    // Column by column: one tight loop per key part rather than a call per part and row.
    const keys = new Float64Array(n);
    for (const p of parts) p.fold(keys);
    // Files usually come ordered (by student, then day): then repeats sit next to each other and
    // one pass finds them, without sorting tens of millions of keys.
    let inOrder = true;
    for (let i = 1; i < n; i++) {
      if (keys[i] < keys[i - 1]) {
        inOrder = false;
        break;
      }
    }
    if (inOrder) {
      let runStart = 0;
      for (let i = 1; i < n; i++) {
        if (keys[i] === keys[i - 1]) repeats.set(i, runStart);
        else runStart = i;
      }
      return repeats;
    }
    // A bitset where it pays: a small table over a wide key space (a few screenings of a million students) sorts.
    const repeated = span <= BITSET_MAX_KEYS && span <= n * 64 ? repeatedByBitset(keys, span) : repeatedBySort(keys);
    if (repeated.size === 0) return repeats;
    const first = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      if (!repeated.has(keys[i])) continue;
      const seen = first.get(keys[i]);
      if (seen === undefined) first.set(keys[i], i);
      else repeats.set(i, seen);
    }
    return repeats;
  }
  const first = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const k = parts.map((p) => p.at(i)).join('\u0001');
    const seen = first.get(k);
    if (seen === undefined) first.set(k, i);
    else repeats.set(i, seen);
  }
  return repeats;
}

/**
 * Keys up to this many possible values are checked against a bitset (64 MiB at most): one pass, no sort.
 * Files in date order (as attendance and canteen systems export them) are not in key order, and
 * sorting their tens of millions of keys took seconds (bench/shipped.ts at 1M students).
 */
const BITSET_MAX_KEYS = 2 ** 29;

export function repeatedByBitset(keys: Float64Array, span: number): Set<number> {
  const seen = new Int32Array(Math.ceil(span / 32));
  const repeated = new Set<number>();
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const word = Math.floor(k / 32);
    const bit = 1 << (k - word * 32);
    if (seen[word] & bit) repeated.add(k);
    else seen[word] |= bit;
  }
  return repeated;
}

export function repeatedBySort(keys: Float64Array): Set<number> {
  const sorted = keys.slice().sort();
  const repeated = new Set<number>();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) repeated.add(sorted[i]);
  return repeated;
}

interface KeyPart {
  range: number;
  at(i: number): number;
  /** keys[i] = keys[i] * range + at(i), for every row. */
  fold(keys: Float64Array): void;
}

function part(range: number, data: ArrayLike<number>, shift: number): KeyPart {
  return {
    range,
    at: (i) => data[i] + shift,
    fold(keys) {
      for (let i = 0; i < keys.length; i++) keys[i] = keys[i] * range + (data[i] + shift);
    },
  };
}

function keyPart(table: Table, name: string): KeyPart {
  const c = table.columns.get(name);
  if (!c) throw new Error(`unique key column ${name} is not in ${table.spec.name}`);
  switch (c.kind) {
    case 'int32': {
      const data = c.data;
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (v < min) min = v;
        if (v > max) max = v;
      }
      return part(max - min + 1, data, -min);
    }
    case 'uint8':
      return part(256, c.data, 0);
    case 'codes':
      return part(c.dict.length + 1, c.data, 1);
    case 'strings': {
      // A string's key is the row it first appears on.
      const data = new Float64Array(c.data.length);
      firstIndexOf(c.data, data);
      return part(Math.max(data.length, 1), data, 0);
    }
    default:
      throw new Error(`${table.spec.name}.${name} cannot be part of a key`);
  }
}
