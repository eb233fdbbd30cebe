import type { Worker } from 'node:worker_threads';
import { ContractError, EwsError } from '../../errors/index.js';
import type { ErrorCode } from '../../errors/codes.js';
import { log } from '../../observability/index.js';
import type { Encoding } from './encoding.js';
import type { FileReport } from './load-file.js';
import type { SourceFormat } from './records.js';
import type { Reject } from './reject.js';
import { fromParts, type TableParts } from './table-parts.js';
import type { Table } from './table.js';
import { startThread } from '../../util/threads.js';

export interface ReadJob {
  path: string;
  fileName: string;
  spec: string;
  format: SourceFormat;
  options: { encoding?: Encoding; bytePath?: boolean; chunkBytes?: number; today: number };
}

export type ReaderMessage = { type: 'roster'; ids: readonly string[] } | ({ type: 'read'; id: number } & ReadJob);

export type ReaderReply =
  | { type: 'progress'; id: number; bytes: number }
  | { type: 'done'; id: number; table: TableParts; report: FileReport; rejects: Reject[] }
  | { type: 'failed'; id: number; error: { contract: boolean; code?: ErrorCode; file?: string; message: string; stack?: string } };

export interface ReadResult {
  table: Table;
  report: FileReport;
  rejects: Reject[];
}

/** Raised when a reader thread itself dies (not when the file it reads is bad): the file can be read elsewhere. */
export class ReaderThreadLost extends Error {
  override name = 'ReaderThreadLost';
}

interface Pending {
  resolve: (r: ReadResult) => void;
  reject: (e: Error) => void;
  onBytes?: (bytes: number) => void;
}

/**
 * Reader threads for the big files of a folder, so that a 2-core machine reads two files at once.
 * One file per thread at a time; each thread is started at once, so its start-up overlaps with
 * the main thread reading students.csv.
 */
export class ReaderPool {
  private readonly threads: { worker: Worker; pending: Map<number, Pending>; lost: boolean }[] = [];
  private nextId = 0;

  constructor(size: number, script?: URL) {
    for (let k = 0; k < size; k++) {
      const worker = startThread(new URL('./reader-thread.ts', import.meta.url), script);
      const thread = { worker, pending: new Map<number, Pending>(), lost: false };
      const lose = (why: string) => {
        if (thread.lost) return;
        thread.lost = true;
        for (const p of thread.pending.values()) p.reject(new ReaderThreadLost(why));
        thread.pending.clear();
      };
      worker.on('message', (r: ReaderReply) => this.reply(thread.pending, r));
      worker.on('error', (e) => lose(`reader thread failed: ${e.message}`));
      worker.on('exit', (code) => lose(`reader thread exited with code ${code}`));
      this.threads.push(thread);
    }
  }

  get size(): number {
    return this.threads.length;
  }

  /** The students on file: the other files are checked against them. */
  setRoster(ids: readonly string[]): void {
    for (const t of this.threads) if (!t.lost) t.worker.postMessage({ type: 'roster', ids } satisfies ReaderMessage);
  }

  /** Reads one file on thread `k`. Rejects with ReaderThreadLost if that thread dies first. */
  read(k: number, job: ReadJob, onBytes?: (bytes: number) => void): Promise<ReadResult> {
    const thread = this.threads[k];
    if (thread.lost) return Promise.reject(new ReaderThreadLost('reader thread is gone'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject, onBytes });
      thread.worker.postMessage({ type: 'read', id, ...job } satisfies ReaderMessage);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private reply(pending: Map<number, Pending>, r: ReaderReply): void {
    const p = pending.get(r.id);
    if (!p) return;
    if (r.type === 'progress') return void p.onBytes?.(r.bytes);
    pending.delete(r.id);
    if (r.type === 'done') return p.resolve({ table: fromParts(r.table), report: r.report, rejects: r.rejects });
    const e = r.error;
    if (e.contract) return p.reject(new ContractError(e.code!, e.file!, e.message));
    const err = e.code ? new EwsError(e.code, e.message) : new Error(e.message);
    if (e.stack) err.stack = e.stack;
    log.debug({ err: e.message }, 'reader thread could not read a file');
    p.reject(err);
  }
}
