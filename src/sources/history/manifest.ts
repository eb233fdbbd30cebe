import { closeSync, existsSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseDay, type Day } from '../../dates/index.js';
import { EwsError } from '../../errors/index.js';

export const MANIFEST = 'history.json';

/** What one pull did to one source. */
export interface SourceCounts {
  /** Rows read and checked. */
  read: number;
  /** Keys the history did not hold. */
  new: number;
  /** Keys it held with other values: the new version is kept beside the old. */
  changed: number;
  unchanged: number;
  /** Rows that broke the contract: in `rejects/<seq>.csv`, not in the history. */
  refused: number;
  /** With `--full`: kept rows the whole export no longer holds (deleted at the school), left out from this pull on. */
  withdrawn?: number;
}

export interface PullRecord {
  seq: number;
  /** When the pull was committed (an instant, UTC). */
  pulled_at: string;
  /** The day its rows count as first seen (Beijing calendar, or as the operator said for a backfill). */
  seen_on: string;
  /** What was pulled: a folder, or a connector's name. */
  from: string;
  sources: Record<string, SourceCounts>;
}

export interface Manifest {
  format: 'ews-history';
  version: 1;
  pulls: PullRecord[];
  /** Per source, per week bucket (see source-index.ts), the file of its row index as of the last pull. */
  index: Record<string, Record<string, string>>;
}

export const emptyManifest = (): Manifest => ({ format: 'ews-history', version: 1, pulls: [], index: {} });

export const isHistory = (dir: string): boolean => existsSync(join(dir, MANIFEST));

export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return emptyManifest();
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (e) {
    throw new EwsError('EWS_HISTORY_DAMAGED', `${path} is not a history manifest (${(e as Error).message})`);
  }
  if (m.format !== 'ews-history' || m.version !== 1 || !Array.isArray(m.pulls) || Object.values(m.index ?? {}).some((v) => typeof v !== 'object')) {
    throw new EwsError(
      'EWS_HISTORY_DAMAGED',
      `${path} is not a version 1 ews history manifest (one made by an earlier build of this day: pull again into a new history)`,
    );
  }
  return m;
}

/** The commit point of a pull: written whole to a temporary file, flushed, then renamed over the old one. */
export function writeManifest(dir: string, m: Manifest): void {
  const path = join(dir, MANIFEST);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, `${JSON.stringify(m, null, 1)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  // The rename itself, on disk.
  const folder = openSync(dir, 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
}

export const seqName = (seq: number): string => String(seq).padStart(6, '0');

/** The pulls whose rows were seen on or before `knownOn` (all of them without it), up to pull `throughPull` (a run's jobs read one state). */
export function pullsKnownOn(m: Manifest, knownOn?: Day, throughPull?: number): PullRecord[] {
  return m.pulls.filter((p) => (knownOn === undefined || parseDay(p.seen_on) <= knownOn) && (throughPull === undefined || p.seq <= throughPull));
}

/**
 * One pull at a time per history: a lock file naming its host and process, put in place whole (written
 * aside, then linked: no reader ever sees it empty). A lock left by a process of this host that is gone
 * (killed mid-pull: nothing it wrote was committed) is taken over; one of another host is never, since
 * its process cannot be checked from here. A pull removes only its own lock.
 */
export function lockHistory(dir: string): () => void {
  const path = join(dir, '.lock');
  const mine = JSON.stringify({ host: hostname(), pid: process.pid, at: new Date().toISOString() });
  const aside = `${path}.${process.pid}`;
  writeFileSync(aside, mine);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(aside, path);
        return () => {
          if (existsSync(path) && readFileSync(path, 'utf8') === mine) rmSync(path, { force: true });
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const holder = lockHolder(path);
        if (holder && (holder.host !== hostname() || alive(holder.pid))) {
          throw new EwsError(
            'EWS_HISTORY_BUSY',
            `history ${dir} is being added to by process ${holder.pid} on ${holder.host} (since ${holder.at}); try again when it has finished`,
          );
        }
        rmSync(path, { force: true });
      }
    }
    throw new EwsError('EWS_HISTORY_BUSY', `history ${dir}: could not take its lock`);
  } finally {
    rmSync(aside, { force: true });
  }
}

function lockHolder(path: string): { host: string; pid: number; at: string } | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8'));
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : null;
  } catch {
    return null; // not one of ours: taken over
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
