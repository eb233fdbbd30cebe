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

/** The bucket of each row: the Monday of the week of its identity's date, `all` where the key has none. */
export function bucketsOf(table: Table): string[] {
  const spec = table.spec;
  const dated = identityOf(spec).find((name) => spec.columns.find((c) => c.name === name)?.type.kind === 'date');
  if (!dated) return new Array(table.length).fill('all');
  const days = table.int32(dated);
  const names = new Map<number, string>();
  return Array.from(days, (d) => {
    if (d === NO_DAY) return 'undated';
    const week = Math.floor((d + 3) / 7); // 1970-01-01 was a Thursday: weeks from Monday
    let name = names.get(week);
    if (!name) names.set(week, (name = formatDay(week * 7 - 3)));
    return name;
  });
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
  const { hi, lo, content } = rowHashes(table);
  const buckets = bucketsOf(table);
  const rowsOf = new Map<string, number[]>();
  buckets.forEach((b, r) => {
    let list = rowsOf.get(b);
    if (!list) rowsOf.set(b, (list = []));
    list.push(r);
  });
  const touched = [...new Set([...rowsOf.keys(), ...(full ? Object.keys(before) : [])])].sort();
  const status = new Uint8Array(table.length);
  const kept: number[] = [];
  const superseded: number[] = [];
  let withdrawn = 0;
  const files: BucketFiles = { ...before };
  const folder = join(dir, '.index', table.spec.name);
  for (const bucket of touched) {
    const rows = Int32Array.from(rowsOf.get(bucket) ?? []);
    const pick = (a: Uint32Array) => Uint32Array.from(rows, (r) => a[r]);
    const old = before[bucket] ? readIndex(join(folder, before[bucket])) : RowIndex.empty();
    const m = old.merge(pick(hi), pick(lo), pick(content), seq, full, kept.length);
    rows.forEach((r, k) => (status[r] = m.status[k]));
    for (const k of m.kept) kept.push(rows[k]);
    for (const x of m.superseded) superseded.push(x);
    withdrawn += m.withdrawn;
    if (m.kept.length + m.withdrawn > 0 || !before[bucket]) {
      mkdirSync(folder, { recursive: true });
      const file = `${bucket}.${seqName(seq)}.u32`;
      m.index.write(join(folder, file));
      files[bucket] = file;
    }
  }
  return { status, kept: Int32Array.from(kept), superseded: Uint32Array.from(superseded), withdrawn, files };
}

function readIndex(path: string): RowIndex {
  if (!existsSync(path)) throw new EwsError('EWS_HISTORY_DAMAGED', `${path} is named in the history's manifest but missing`);
  return RowIndex.read(path);
}
