import { parentPort, Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { ContractError, EwsError, OptionError } from '../errors/index.js';
import type { ErrorCode } from '../errors/codes.js';

const ENTRY = new URL('./thread-entry.js', import.meta.url);

/** Raised when a thread itself dies (not when the work it was given fails): the work can be done elsewhere. */
export class ThreadLost extends Error {
  override name = 'ThreadLost';
}

type Sent = { note: unknown } | { id: number; call: unknown };
type Replied = { id: number; progress: unknown } | { id: number; done: unknown } | { id: number; failed: ErrorShape };
type ErrorShape = { name: string; code?: ErrorCode; file?: string; message: string; stack?: string };

interface Pending {
  resolve: (r: never) => void;
  reject: (e: Error) => void;
  onProgress?: (p: never) => void;
}

/**
 * One worker thread running one of our TypeScript modules, called like a function: each call's
 * reply (or error, rebuilt as the error class it was) settles its promise. If the thread dies,
 * every open call fails with ThreadLost.
 */
export class ThreadCalls<Call, Result, Progress = never> {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  lost = false;

  /** `script` replaces the thread's entry (tests give one that dies). */
  constructor(module: URL, script?: URL) {
    this.worker = new Worker(script ?? ENTRY, { workerData: { module: module.href } });
    this.worker.on('message', (m: Replied) => this.reply(m));
    this.worker.on('error', (e) => this.lose(`thread failed: ${e.message}`));
    this.worker.on('exit', (code) => this.lose(`thread exited with code ${code}`));
  }

  /** A message that needs no answer (set-up the later calls rely on; delivered in order). */
  note(body: unknown): void {
    if (!this.lost) this.worker.postMessage({ note: body } satisfies Sent);
  }

  call(body: Call, onProgress?: (p: Progress) => void): Promise<Result> {
    if (this.lost) return Promise.reject(new ThreadLost('thread is gone'));
    const id = this.nextId++;
    return new Promise<Result>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: never) => void, reject, onProgress: onProgress as ((p: never) => void) | undefined });
      this.worker.postMessage({ id, call: body } satisfies Sent);
    });
  }

  async close(): Promise<void> {
    this.lost = true;
    await this.worker.terminate();
  }

  private reply(m: Replied): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if ('progress' in m) return void p.onProgress?.(m.progress as never);
    this.pending.delete(m.id);
    if ('done' in m) p.resolve(m.done as never);
    else p.reject(revive(m.failed));
  }

  private lose(why: string): void {
    if (this.lost && this.pending.size === 0) return;
    this.lost = true;
    for (const p of this.pending.values()) p.reject(new ThreadLost(why));
    this.pending.clear();
  }
}

/**
 * The thread's side: answers each call with `handle` (one at a time, in order) and hands notes
 * to `onNote`. `handle` returns its result and the buffers to move rather than copy.
 */
export function serveCalls<Call, Result, Progress = never>(handlers: {
  onNote?: (body: unknown) => void;
  handle: (call: Call, progress: (p: Progress) => void) => Promise<{ result: Result; transfer?: ArrayBuffer[] }>;
}): void {
  const port = parentPort;
  if (!port) throw new Error('serveCalls runs in a worker thread');
  let queue = Promise.resolve();
  port.on('message', (m: Sent) => {
    if ('note' in m) return handlers.onNote?.(m.note);
    const { id, call } = m;
    queue = queue.then(async () => {
      try {
        const { result, transfer } = await handlers.handle(call as Call, (p) => port.postMessage({ id, progress: p } satisfies Replied));
        port.postMessage({ id, done: result } satisfies Replied, transfer ?? []);
      } catch (e) {
        port.postMessage({ id, failed: shape(e) } satisfies Replied);
      }
    });
  });
}

function shape(e: unknown): ErrorShape {
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    name: err.name,
    message: err.message,
    stack: err.stack,
    code: err instanceof EwsError ? err.code : undefined,
    file: err instanceof ContractError ? err.file : undefined,
  };
}

function revive(s: ErrorShape): Error {
  const err = s.file !== undefined && s.code ? new ContractError(s.code, s.file, s.message) : s.code ? new EwsError(s.code, s.message) : new Error(s.message);
  if (!(err instanceof EwsError)) err.name = s.name;
  if (s.stack) err.stack = s.stack;
  return err;
}

/**
 * Worker threads a step may start besides this one, at most `useful`: `wanted` if given, else
 * EWS_THREADS, else one per spare core (up to 3).
 */
export function spareThreads(useful: number, wanted?: number): number {
  const n = wanted ?? envThreads() ?? Math.min(availableParallelism() - 1, 3);
  return Math.max(0, Math.min(n, useful));
}

function envThreads(): number | undefined {
  const v = process.env.EWS_THREADS;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new OptionError('EWS_THREADS', `must be a whole number ≥ 0, not ${JSON.stringify(v)}`);
  return n;
}
