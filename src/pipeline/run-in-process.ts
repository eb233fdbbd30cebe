import { log } from '../observability/index.js';
import type { Table } from '../sources/index.js';
import { SOURCES, type RunSpec } from './run-spec.js';
import { featuresStage, preparedTables } from './stages/features.js';
import { ingestMerge, ingestSources } from './stages/ingest.js';
import { listsStage } from './stages/lists.js';
import { scoreStage } from './stages/score.js';
import { summaryStage, type RunSummary } from './stages/summary.js';
import type { ScoredStudent } from '../scoring/index.js';

/**
 * The weekly run in this process: the same stage functions, in the same order, as the
 * BullMQ flow runs them on workers.
 */
export async function runInProcess(spec: RunSpec, onStage?: (stage: string) => void): Promise<RunSummary> {
  const timings: Record<string, number> = {};
  const time = async <T>(stage: string, fn: () => Promise<T>): Promise<T> => {
    onStage?.(stage);
    const t = performance.now();
    const r = await fn();
    timings[stage] = Math.round((timings[stage] ?? 0) + performance.now() - t);
    return r;
  };
  const start = performance.now();
  const tables = new Map<string, Table>();
  // Every file in one read: the big ones on reader threads while this thread reads the rest.
  for (const r of await time('ingest', () => ingestSources(spec, SOURCES, undefined, false))) if (r.table) tables.set(r.source, r.table);
  const ingest = await time('ingest', () => ingestMerge(spec));
  const scored: ScoredStudent[][] = [];
  const prepared = ingest.shards.length > 0 ? await time('features', () => preparedTables(spec, tables)) : undefined;
  for (let k = 0; k < ingest.shards.length; k++) {
    // One process: features and scores go from stage to stage in memory, not through the work folder.
    const { features } = await time('features', () => featuresStage(spec, k, ingest.shards[k], prepared, false));
    const { rows } = await time('score', () => scoreStage(spec, k, prepared?.district, false, features));
    await time('lists', () => listsStage(spec, k, rows));
    if (spec.database) scored[k] = rows; // follow-up cases are opened from every row
  }
  timings.total = Math.round(performance.now() - start);
  const summary = await time('summary', () => summaryStage(spec, 'in-process', timings, scored));
  log.info({ run: summary.run_key, scored: summary.students_scored, ms: timings.total }, 'weekly run finished in process');
  return summary;
}
