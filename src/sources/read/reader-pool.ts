import { ThreadCalls } from '../../util/threads.js';
import type { Encoding } from './encoding.js';
import type { FileReport } from './load-file.js';
import type { SourceFormat } from './records.js';
import type { Reject } from './reject.js';
import { fromParts, type TableParts } from './table-parts.js';
import type { Table } from './table.js';

export interface ReadJob {
  path: string;
  fileName: string;
  spec: string;
  format: SourceFormat;
  options: { encoding?: Encoding; bytePath?: boolean; chunkBytes?: number; today: number; repeats?: boolean };
}

export interface ReadReply {
  table: TableParts;
  report: FileReport;
  rejects: Reject[];
}

export interface ReadResult {
  table: Table;
  report: FileReport;
  rejects: Reject[];
}

/**
 * Reader threads for the big files of a folder, so that a 2-core machine reads two files at once.
 * One file per thread at a time; each thread is started at once, so its start-up overlaps with
 * the main thread reading students.csv.
 */
export class ReaderPool {
  private readonly threads: ThreadCalls<ReadJob, ReadReply, number>[];

  constructor(size: number, script?: URL) {
    this.threads = Array.from({ length: size }, () => new ThreadCalls<ReadJob, ReadReply, number>(new URL('./reader-thread.ts', import.meta.url), script));
  }

  /** The students on file: the other files are checked against them. */
  setRoster(ids: readonly string[]): void {
    for (const t of this.threads) t.note({ roster: ids });
  }

  /** Reads one file on thread `k`; fails with ThreadLost if that thread dies first. */
  async read(k: number, job: ReadJob, onBytes?: (bytes: number) => void): Promise<ReadResult> {
    const r = await this.threads[k].call(job, onBytes);
    return { table: fromParts(r.table), report: r.report, rejects: r.rejects };
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
