import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { WrittenList } from '../../alerts/index.js';
import { formatDay } from '../../dates/index.js';
import { recordRunAsScored, type Recorded } from '../../followup/index.js';
import { loadModel } from '../../model/index.js';
import { log } from '../../observability/index.js';
import { staffMembers } from '../../sources/index.js';
import { openDb, type Db } from '../../store/index.js';
import type { Handoff, IngestSummary } from '../handoff/index.js';
import { runKey, type RunSpec } from '../run-spec.js';
import { driftSummary, type DriftSummary } from './drift.js';
import { joinScores } from './join-scores.js';
import { planRunDeliveries } from './plan-deliveries.js';
import { byScoresOrder } from './score-lines.js';

export { SCORE_COLUMNS } from './score-lines.js';

export interface RunSummary {
  run_key: string;
  as_of: string;
  model_id: string;
  mode: 'bullmq' | 'in-process';
  students_read: number;
  students_scored: number;
  rows_rejected: number;
  tiers: { high: number; medium: number; low: number };
  files: IngestSummary['files'];
  shards: number;
  lists: { head_teacher: number; triage: number; paths: string[] };
  timings_ms: Record<string, number>;
  /** Population stability of features and scores against training, and the high tier's turnover. */
  drift?: DriftSummary;
  /** Alerts the run opened in the system of record (absent when it keeps none). */
  record?: { alerts_opened: number; alerts_open: number; deliveries_planned?: number };
}

/**
 * The run's end: scores.csv joined from the shards, drift measured, the scores recorded (unless
 * a run in one process recorded them shard by shard: `recorded`), deliveries planned, and
 * summary.json written.
 */
export async function summaryStage(
  spec: RunSpec,
  mode: RunSummary['mode'],
  timings: Record<string, number>,
  handoff: Handoff,
  recorded?: { db: Db; record: Recorded },
): Promise<RunSummary> {
  const ingest = await handoff.ingest();
  const shards = ingest.shards.length;
  const { tiers, scored } = await joinScores(spec.out, shards, (k) => handoff.lines(k));
  const lists: WrittenList[] = [];
  const drift = [];
  for (let k = 0; k < shards; k++) {
    lists.push(...(await handoff.lists(k)));
    drift.push(await handoff.drift(k));
  }
  const summary: RunSummary = {
    run_key: runKey(spec),
    as_of: formatDay(spec.asOf),
    model_id: spec.modelId,
    mode,
    students_read: ingest.students,
    students_scored: scored,
    rows_rejected: ingest.rows_rejected,
    tiers,
    files: ingest.files,
    shards,
    lists: {
      head_teacher: lists.filter((l) => l.kind === 'head_teacher').length,
      triage: lists.filter((l) => l.kind === 'triage').length,
      paths: lists.flatMap((l) => [relative(spec.out, l.csv), relative(spec.out, l.html)]).sort(),
    },
    timings_ms: timings,
    drift: driftSummary(await loadModel(spec.modelId, spec.modelsDir), drift),
  };
  if (summary.drift!.alerts.length > 0) log.warn({ run: summary.run_key, alerts: summary.drift!.alerts }, 'drift beyond thresholds: analysts should look');
  if (spec.database) {
    const db = recorded?.db ?? (await openDb({ url: spec.database }));
    try {
      const run = { run_key: summary.run_key, as_of: summary.as_of, model_id: summary.model_id };
      // A queued run reads each shard's rows back to record them, one shard at a time.
      const record =
        recorded?.record ??
        (await recordRunAsScored(
          db,
          run,
          async (add) => {
            for (let k = 0; k < shards; k++) await add((await handoff.scored(k)).sort(byScoresOrder));
          },
          { tiers, scored },
        ));
      const staff = staffMembers(await handoff.table('staff'));
      summary.record = { ...record, deliveries_planned: await planRunDeliveries(db, spec, summary.as_of, lists, staff, summary.drift!) };
    } finally {
      if (!recorded) await db.close();
    }
  }
  await writeFile(join(spec.out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
