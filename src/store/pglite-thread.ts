// The embedded store on a thread of its own: PGlite (Postgres in WASM) works on whatever thread
// calls it, and a run's COPY of its scores there slowed scoring by as much again. Here it works on
// the spare core while the pipeline goes on. Calls are answered one at a time, in order.
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { serveCalls } from '../util/threads.js';

export type LiteCall =
  | { op: 'open'; url: string }
  | { op: 'query'; sql: string; params?: unknown[] }
  | { op: 'copy'; sql: string; text: string }
  | { op: 'close' };

let lite: PGlite | null = null;

function open(): PGlite {
  if (!lite) throw new Error('the store thread has no database open');
  return lite;
}

serveCalls<LiteCall, unknown>({
  handle: async (c) => {
    switch (c.op) {
      case 'open':
        if (c.url !== 'memory://') await mkdir(c.url, { recursive: true });
        lite = c.url === 'memory://' ? new PGlite() : new PGlite(c.url);
        await lite.waitReady;
        return { result: null };
      case 'query':
        return { result: (await open().query(c.sql, c.params ?? [])).rows };
      case 'copy':
        // PGlite reads COPY's input from a blob it is handed, in place of standard input.
        await open().query(c.sql.replace(/from stdin$/i, "from '/dev/blob'"), [], { blob: new Blob([c.text]) });
        return { result: null };
      case 'close':
        await lite?.close();
        lite = null;
        return { result: null };
    }
  },
});
