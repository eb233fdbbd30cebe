/**
 * A reader thread: reads whole files with the same loadFile as the main thread and posts each
 * checked table back (its typed columns move, not copied) with its report and rejects.
 */
import { parentPort } from 'node:worker_threads';
import { EwsError } from '../../errors/index.js';
import { ContractError } from '../../errors/index.js';
import { FILE_SPECS } from '../spec/index.js';
import { loadFile } from './load-file.js';
import type { Reject } from './reject.js';
import { toParts } from './table-parts.js';
import type { ReaderMessage, ReaderReply } from './reader-pool.js';

const port = parentPort!;
let roster: Map<string, number> | undefined;
let rosterIds: readonly string[] | undefined;
// Progress is posted every so many bytes, not every chunk.
const PROGRESS_STEP = 8 << 20;

port.on('message', (m: ReaderMessage) => {
  if (m.type === 'roster') {
    rosterIds = m.ids;
    roster = new Map();
    m.ids.forEach((id, i) => roster!.set(id, i));
    return;
  }
  void read(m).catch((e: unknown) => post({ type: 'failed', id: m.id, error: describe(e) }));
});

async function read(m: Extract<ReaderMessage, { type: 'read' }>): Promise<void> {
  const spec = FILE_SPECS.find((s) => s.name === m.spec)!;
  const rejects: Reject[] = [];
  let posted = 0;
  const { table, report } = await loadFile(
    m.path,
    m.fileName,
    spec,
    m.format,
    {
      ...m.options,
      roster,
      rosterIds,
      onBytes: (b) => {
        if (b - posted < PROGRESS_STEP) return;
        posted = b;
        post({ type: 'progress', id: m.id, bytes: b });
      },
    },
    rejects,
  );
  const { parts, transfer } = toParts(table);
  port.postMessage({ type: 'done', id: m.id, table: parts, report, rejects } satisfies ReaderReply, transfer);
}

function post(r: ReaderReply): void {
  port.postMessage(r);
}

function describe(e: unknown): Extract<ReaderReply, { type: 'failed' }>['error'] {
  if (e instanceof ContractError) return { contract: true, code: e.code, file: e.file, message: e.message };
  if (e instanceof EwsError) return { contract: false, code: e.code, message: e.message, stack: e.stack };
  const err = e instanceof Error ? e : new Error(String(e));
  return { contract: false, message: err.message, stack: err.stack };
}
