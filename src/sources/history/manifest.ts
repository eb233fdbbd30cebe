import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
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
}

export const seqName = (seq: number): string => String(seq).padStart(6, '0');

/** The pulls whose rows were seen on or before `knownOn` (all of them without it). */
export function pullsKnownOn(m: Manifest, knownOn?: Day): PullRecord[] {
  return knownOn === undefined ? m.pulls : m.pulls.filter((p) => parseDay(p.seen_on) <= knownOn);
}

/**
 * One pull at a time per history: a lock file naming its process. A lock left by a process that
 * is gone (killed mid-pull: nothing it wrote was committed) is taken over.
 */
export function lockHistory(dir: string): () => void {
  const path = join(dir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new EwsError('EWS_HISTORY_BUSY', `history ${dir} is being added to by process ${pid}; try again when it has finished`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new EwsError('EWS_HISTORY_BUSY', `history ${dir}: could not take its lock`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
