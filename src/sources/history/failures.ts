import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A pull that did not land: what operators see with `ews pulls`. */
export interface PullFailure {
  at: string;
  from: string;
  /** The error's code where ews raised it on purpose (EWS_SOURCE_UNAVAILABLE, …), else null. */
  code: string | null;
  message: string;
  attempt: number;
  /** No try is left: someone must look. */
  final: boolean;
}

const FILE = 'pull-failures.jsonl';

/** Kept beside the history, never in it: a failed pull changes nothing a reader sees. */
export function recordPullFailure(history: string, f: PullFailure): void {
  mkdirSync(history, { recursive: true });
  appendFileSync(join(history, FILE), `${JSON.stringify(f)}\n`);
}

export function pullFailures(history: string): PullFailure[] {
  const path = join(history, FILE);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PullFailure);
}
