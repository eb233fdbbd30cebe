import type { Table } from '../read/table.js';
import { CONTENT_SEED, fmix32, hash32, KEY_SEED_HI, KEY_SEED_LO } from './hash.js';
import { identityOf } from './identity.js';

/** murmur3's mixing of one more 32-bit word into a running hash. */
function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

const finish = fmix32;

const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);

/**
 * Per column, a 32-bit word for each row that stands for its value: numbers and codes as they are
 * stored, a student as its place in the history's roll (which never changes), text by its hash, a
 * category by its text's hash (each pull's dictionary is its own).
 */
function cellWords(table: Table, name: string, seed: number): (i: number) => number {
  const c = table.columns.get(name)!;
  switch (c.kind) {
    case 'int32':
    case 'uint8':
    case 'int8': {
      const d = c.data;
      return (i) => d[i];
    }
    case 'float64': {
      const d = c.data;
      return (i) => {
        f64[0] = Number.isNaN(d[i]) ? Number.NaN : d[i] + 0; // one NaN, and -0 as 0
        return f64Words[0] ^ Math.imul(f64Words[1], 0x9e3779b1);
      };
    }
    case 'codes': {
      const words = Int32Array.from(c.dict, (v) => hash32(v, seed));
      const d = c.data;
      return (i) => (d[i] < 0 ? 0x7fffffff : words[d[i]]);
    }
    case 'strings': {
      const d = c.data;
      return (i) => hash32(d[i], seed);
    }
    case 'lists': {
      const d = c.data;
      return (i) => hash32(d[i].join(';'), seed);
    }
  }
}

/**
 * Each row's key (two 32-bit hashes of its identity columns, see identityOf) and content (a hash of
 * every column), from the values as read — no text is made. For a source whose rows need not be
 * unique, a repeat of a key within the table is told apart by its order among that key's rows.
 */
export function rowHashes(table: Table): { hi: Uint32Array; lo: Uint32Array; content: Uint32Array } {
  const n = table.length;
  const spec = table.spec;
  const names = spec.columns.map((c) => c.name);
  const words = names.map((name) => cellWords(table, name, CONTENT_SEED));
  const identity = identityOf(spec).map((name) => names.indexOf(name));
  // The key's low half hashes text with a seed of its own: from one 32-bit word per id, a key of one
  // column (a student's id) would have had 32 bits, not 64 — a collision in about 1M students.
  const second = identity.map((c) => cellWords(table, names[c], KEY_SEED_LO));
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  const content = new Uint32Array(n);
  const cell = new Int32Array(names.length);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < words.length; c++) cell[c] = words[c](i);
    let a = KEY_SEED_HI;
    let b = KEY_SEED_LO;
    for (let k = 0; k < identity.length; k++) {
      a = mix(a, cell[identity[k]]);
      b = mix(b, second[k](i) ^ 0x5bd1e995);
    }
    let h = CONTENT_SEED;
    for (let c = 0; c < cell.length; c++) h = mix(h, cell[c]);
    hi[i] = finish(a);
    lo[i] = finish(b);
    content[i] = finish(h);
  }
  if (!spec.unique) {
    const seen = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      // hi and lo together name the key; the Map is keyed by a double made of both (53 bits of them)
      const key = hi[i] * 2 ** 21 + (lo[i] >>> 11);
      const k = seen.get(key) ?? 0;
      seen.set(key, k + 1);
      if (k > 0) {
        hi[i] = finish(mix(hi[i], k));
        lo[i] = finish(mix(lo[i], k ^ 0x5bd1e995));
      }
    }
  }
  return { hi, lo, content };
}
