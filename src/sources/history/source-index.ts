import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatDay } from '../../dates/index.js';
import { EwsError } from '../../errors/index.js';
import { NO_DAY, type Table } from '../read/table.js';
import { identityOf } from './identity.js';
import { seqName } from './manifest.js';
import { rowHashes } from './row-hash.js';
import { RowIndex } from './row-index.js';

/**
 * A source's row index, in buckets by the week of the date that names a row (attendance's day, a
 * grant's start…): a week's pull brings rows of that week, so it reads, merges and writes that
 * week's bucket — not every row the history holds. The roll and the staff have one bucket.
 */
export type BucketFiles = Record<string, string>;

const ALL = -1;
const UNDATED = -2;

/** Each row's bucket — the week of its identity's date, counted from 1970 — and a bucket's name: that week's Monday, `all` where the key has no date. */
export function bucketsOf(table: Table): { ids: Int32Array; name: (id: number) => string } {
  const spec = table.spec;
  const dated = identityOf(spec).find((name) => spec.columns.find((c) => c.name === name)?.type.kind === 'date');
  const name = (id: number) => (id === ALL ? 'all' : id === UNDATED ? 'undated' : formatDay(id * 7 - 3));
  if (!dated) return { ids: new Int32Array(table.length).fill(ALL), name };
  const days = table.int32(dated);
  // 1970-01-01 was a Thursday: +3 makes weeks start on Monday.
  const ids = new Int32Array(table.length);
  for (let r = 0; r < ids.length; r++) ids[r] = days[r] === NO_DAY ? UNDATED : Math.floor((days[r] + 3) / 7);
  return { ids, name };
}

export interface Classified {
  status: Uint8Array;
  /** The rows written, in the order of the pull's file (bucket after bucket). */
  kept: Int32Array;
  superseded: Uint32Array;
  withdrawn: number;
  /** The buckets' index files after this pull (those it did not touch as they were). */
  files: BucketFiles;
}

/**
 * Classifies a pull's rows of one source against the history's index, bucket by bucket, and writes
 * the touched buckets' new index files (named for this pull: the manifest makes them current).
 * `full`: every bucket is merged, so that keys the export no longer holds are withdrawn.
 */
export function classifyRows(dir: string, table: Table, before: BucketFiles, seq: number, full: boolean): Classified {
  const n = table.length;
  const { hi, lo, content } = rowHashes(table);
  const { ids, name } = bucketsOf(table);
  // Rows grouped by bucket, in row order within each: a counting sort (a comparator over millions of rows cost seconds).
  const slotOf = new Map<number, number>();
  for (let r = 0; r < n; r++) if (!slotOf.has(ids[r])) slotOf.set(ids[r], slotOf.size);
  const slots = [...slotOf.keys()].sort((a, b) => a - b);
  const start = new Int32Array(slots.length + 1);
  const rank = new Int32Array(slots.length);
  slots.forEach((id, k) => (rank[slotOf.get(id)!] = k));
  // Rows of one day come together in an export: the last row's bucket is looked up once per run.
  const rankOf = new Int32Array(n);
  for (let r = 0, last = Number.NaN, k = 0; r < n; r++) {
    if (ids[r] !== last) {
      last = ids[r];
      k = rank[slotOf.get(last)!];
    }
    rankOf[r] = k;
    start[k + 1]++;
  }
  for (let k = 0; k < slots.length; k++) start[k + 1] += start[k];
  const order = new Int32Array(n);
  const fill = start.slice(0, slots.length);
  for (let r = 0; r < n; r++) order[fill[rankOf[r]]++] = r;
  const runs = new Map<string, [number, number]>(slots.map((id, k) => [name(id), [start[k], start[k + 1]]]));
  const touched = [...new Set([...runs.keys(), ...(full ? Object.keys(before) : [])])].sort();
  const status = new Uint8Array(n);
  const kept = new Int32Array(n);
  let keptN = 0;
  const superseded: number[] = [];
  let withdrawn = 0;
  const files: BucketFiles = { ...before };
  const folder = join(dir, '.index', table.spec.name);
  for (const bucket of touched) {
    const [s, e] = runs.get(bucket) ?? [0, 0];
    const rows = order.subarray(s, e);
    const m = rows.length;
    const bh = new Uint32Array(m);
    const bl = new Uint32Array(m);
    const bc = new Uint32Array(m);
    for (let k = 0; k < m; k++) {
      const r = rows[k];
      bh[k] = hi[r];
      bl[k] = lo[r];
      bc[k] = content[r];
    }
    const old = before[bucket] ? readIndex(join(folder, before[bucket])) : RowIndex.empty();
    const merged = old.merge(bh, bl, bc, seq, full, keptN);
    for (let k = 0; k < m; k++) status[rows[k]] = merged.status[k];
    for (const k of merged.kept) kept[keptN++] = rows[k];
    for (const x of merged.superseded) superseded.push(x);
    withdrawn += merged.withdrawn;
    if (merged.kept.length + merged.withdrawn > 0 || !before[bucket]) {
      mkdirSync(folder, { recursive: true });
      const file = `${bucket}.${seqName(seq)}.u32`;
      merged.index.write(join(folder, file));
      files[bucket] = file;
    }
  }
  return { status, kept: kept.slice(0, keptN), superseded: Uint32Array.from(superseded), withdrawn, files };
}

function readIndex(path: string): RowIndex {
  if (!existsSync(path)) throw new EwsError('EWS_HISTORY_DAMAGED', `${path} is named in the history's manifest but missing`);
  return RowIndex.read(path);
}
