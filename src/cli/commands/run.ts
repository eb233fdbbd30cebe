import { log } from '../../observability/index.js';
import { planRun, runFolder, runInProcess, type PlanOptions, type RunSummary } from '../../pipeline/index.js';
import { redisReachable, redisUrl } from '../../queue/connection.js';
import { enqueueRun, waitForRun } from '../../queue/run-on-queue.js';
import { startWorkers } from '../../queue/workers.js';

export interface RunOptions extends PlanOptions {
  /** Keep the intermediate files under out/.work (default: removed after a good run). */
  keepWork?: boolean;
  /** `queue`: through BullMQ with workers in this process; `auto`: the queue when Redis answers. */
  via?: 'in-process' | 'queue' | 'auto';
}

/**
 * The weekly run once. Through BullMQ (with workers in this process) when Redis answers and
 * the caller allows it, else in this process through the same stage functions.
 */
export async function runCommand(o: RunOptions): Promise<RunSummary> {
  const spec = await planRun(o);
  const via = o.via ?? 'in-process';
  let summary: RunSummary;
  if (via !== 'in-process' && (await redisReachable())) {
    log.info({ redis: redisUrl().replace(/\/\/[^@]*@/, '//***@') }, 'running the weekly flow through BullMQ');
    const workers = startWorkers();
    try {
      await enqueueRun(spec);
      summary = await waitForRun(spec);
    } finally {
      await workers.close();
    }
  } else {
    if (via === 'queue') throw new Error(`Redis is not reachable at ${redisUrl()}`);
    if (via === 'auto') log.warn({ redis: redisUrl() }, 'Redis is not reachable: running the weekly job in this process instead');
    // In one process the stages hand on in memory; --keep-work keeps the parts in OUT/.work for a look.
    summary = await runInProcess(spec, o.keepWork ? { handoff: runFolder(spec) } : {});
  }
  if (!o.keepWork) await runFolder(spec).clear();
  return summary;
}
