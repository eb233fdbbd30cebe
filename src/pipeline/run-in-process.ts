import { formatDay } from '../dates/index.js';
import { hasContacts, keepContacts, recordedWeekBefore, recordRunAsScored, type RecordedScores } from '../followup/index.js';
import { log } from '../observability/index.js';
import { weekBeforeFrom, type ScoredStudent, type WeekBefore } from '../scoring/index.js';
import { openDb } from '../store/index.js';
import { MemoryHandoff, type Handoff } from './handoff/index.js';
import { runShard } from './run-shard.js';
import { runKey, SOURCES, type RunSpec } from './run-spec.js';
import { ingestMerge, ingestSources } from './stages/ingest.js';
import { byScoresOrder } from './stages/score-lines.js';
import { summaryStage, type RunSummary } from './stages/summary.js';

export interface InProcessOptions {
  /** Reader threads besides this one (default: EWS_THREADS, else one per spare core). */
  threads?: number;
  /** How stages hand on to each other. Default in memory; a FolderHandoff keeps the parts for a look afterwards. */
  handoff?: Handoff;
}

/**
 * The weekly run in this process: the same stage functions, in the same order, as the BullMQ
 * flow runs them on workers. The big files are read on reader threads at once; shards go one
 * after another (two shard threads were measured at 1M: 5% faster for 0.8 GB more, since
 * each shard's work slowed by half with two running at once). With a database, each shard's
 * scores are recorded while the next one is computed, and what changed is measured against last
 * week's recorded list where there is one (else against the model's view of the data at D−7).
 */
export async function runInProcess(spec: RunSpec, options: InProcessOptions = {}): Promise<RunSummary> {
  const timings: Record<string, number> = {};
  const add = (stage: string, ms: number) => (timings[stage] = Math.round((timings[stage] ?? 0) + ms));
  const time = async <T>(stage: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const r = await fn();
    add(stage, performance.now() - t);
    return r;
  };
  const start = performance.now();
  const handoff = options.handoff ?? new MemoryHandoff();
  // The store opens on its own thread while the files are read: a fresh embedded folder takes seconds.
  const opening = spec.database ? openDb({ url: spec.database, offThread: true }) : null;
  opening?.catch(() => {}); // its failure is met where it is awaited, not as an unhandled rejection while files are read
  // Last week's list as recorded, fetched by the store as soon as it is open, while the files are read:
  // what changed is what changed since the list head teachers saw, and D−7 need not be recomputed.
  // Fetched before the run's own recording starts, whose transaction would hold the store.
  const fetchingWeekBefore = opening?.then(
    (db) =>
      recordedWeekBefore(db, {
        weekBefore: formatDay(spec.asOf - 7),
        modelId: spec.modelId,
        sameFolderKey: runKey({ data: spec.data, asOf: spec.asOf - 7 }),
      }).catch((e: Error) => {
        log.warn({ err: e.message }, "last week's recorded list could not be read; what changed is measured against the data a week earlier");
        return null;
      }),
    () => null, // a store that does not open is reported where the run waits for it
  );
  let dbTaken = false;
  try {
    // Every file in one read: the big ones on reader threads while this thread reads the rest.
    const read = await time('ingest', () => ingestSources(spec, SOURCES, undefined, options.threads));
    for (const r of read) {
      if (r.table) await handoff.putTable(r.source, r.table);
      if (r.check) await handoff.putCheck(r.source, r.check);
    }
    const ingest = await time('ingest', async () => ingestMerge(spec, await handoff.table('students'), await handoff.checks()));
    await handoff.putIngest(ingest);
    const { shards } = ingest;
    const shardsInTurn = async (onRows?: (rows: readonly ScoredStudent[]) => Promise<void>, weekBefore?: RecordedScores | null) => {
      if (shards.length === 0) return;
      const prepared = await time('features', () => handoff.prepared());
      let recorded: WeekBefore | undefined;
      if (weekBefore) {
        log.info({ run: weekBefore.run_key }, "what changed is measured against last week's recorded list");
        recorded = await time('week_before', async () => weekBeforeFrom(weekBefore.lines, prepared.district.roster));
      }
      for (let k = 0; k < shards.length; k++) {
        const { rows, ms } = await runShard(spec, k, shards[k], prepared, handoff, recorded);
        for (const [stage, t] of Object.entries(ms)) add(stage, t);
        await onRows?.(rows);
      }
    };
    let summary: RunSummary;
    if (opening) {
      // Each shard's scores go into the database while the next shard is computed; none are held.
      // An embedded store works on the spare core, so recording overlaps the next shard's work.
      const db = await time('store_open_wait', () => opening);
      dbTaken = true;
      try {
        const weekBefore = await time('week_before', () => fetchingWeekBefore!);
        const students = await handoff.table('students');
        if (students && hasContacts(students)) await time('contacts', () => keepContacts(db, students));
        const record = await recordRunAsScored(
          db,
          { run_key: runKey(spec), as_of: formatDay(spec.asOf), model_id: spec.modelId },
          (add) => shardsInTurn((rows) => time('record', () => add([...rows].sort(byScoresOrder))), weekBefore),
          undefined,
          (ms) => Object.entries(ms).forEach(([k, v]) => add(k, v)),
        );
        timings.total = Math.round(performance.now() - start);
        summary = await time('summary', () => summaryStage(spec, 'in-process', timings, handoff, { db, record }));
      } finally {
        await db.close();
      }
    } else {
      await shardsInTurn();
      timings.total = Math.round(performance.now() - start);
      summary = await time('summary', () => summaryStage(spec, 'in-process', timings, handoff));
    }
    log.info({ run: summary.run_key, scored: summary.students_scored, ms: timings.total }, 'weekly run finished in process');
    return summary;
  } finally {
    // A run that failed before it took the store still closes it (and waits for it to open first).
    if (opening && !dbTaken) {
      await fetchingWeekBefore; // never rejects; the store is closed after its query, not under it
      await opening.then((db) => db.close()).catch(() => {});
    }
  }
}
