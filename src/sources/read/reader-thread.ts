/**
 * A reader thread: reads whole files with the same loadFile as the main thread and posts each
 * checked table back (its typed columns move, not copied) with its report and rejects.
 */
import { serveCalls } from '../../util/threads.js';
import { FILE_SPECS } from '../spec/index.js';
import { loadFile } from './load-file.js';
import { firstIndexOf } from './string-index.js';
import type { ReadJob, ReadReply } from './reader-pool.js';
import type { Reject } from './reject.js';
import { toParts } from './table-parts.js';

let roster: ReadonlyMap<string, number> | undefined;
let rosterIds: readonly string[] | undefined;
// Progress is posted every so many bytes, not every chunk.
const PROGRESS_STEP = 8 << 20;

serveCalls<ReadJob, ReadReply, number>({
  onNote(note) {
    const { roster: ids } = note as { roster: readonly string[] };
    rosterIds = ids;
    roster = firstIndexOf(ids); // unique: repeats were refused
  },
  async handle(job, progress) {
    const spec = FILE_SPECS.find((s) => s.name === job.spec)!;
    const rejects: Reject[] = [];
    let posted = 0;
    const onBytes = (b: number) => {
      if (b - posted < PROGRESS_STEP) return;
      posted = b;
      progress(b);
    };
    const { table, report } = await loadFile(job.path, job.fileName, spec, job.format, { ...job.options, roster, rosterIds, onBytes }, rejects);
    const { parts, transfer } = toParts(table);
    return { result: { table: parts, report, rejects }, transfer };
  },
});
