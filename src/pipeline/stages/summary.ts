import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { WrittenList } from '../../alerts/index.js';
import { formatDay } from '../../dates/index.js';
import { CsvWriter } from '../../util/csv-write.js';
import { byScoresOrder, SCORE_COLUMNS, type ScoreLines } from './score-lines.js';
import { runKey, workDir, type RunSpec } from '../run-spec.js';
import type { IngestSummary } from './ingest.js';
import { readScored, type DriftCounts } from './score.js';
import { loadModel, psi, PSI_ALERT } from '../../model/index.js';
import { log } from '../../observability/index.js';
import { openDb, type Db } from '../../store/index.js';
import { recordRunAsScored, type Recorded } from '../../followup/index.js';
import { planDelivery, planListDeliveries, type StaffContact } from '../../alerts/index.js';
import { existsSync } from 'node:fs';
import { readTableKept, STAFF_ROLES } from '../../sources/index.js';

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
  drift?: { psi: Record<string, number>; score_psi: number | null; high_tier_overlap: number | null; alerts: string[] };
  /** Alerts the run opened in the system of record (absent when it keeps none). */
  record?: { alerts_opened: number; alerts_open: number; deliveries_planned?: number };
}

/**
 * Joins the shards into scores.csv (by school, class and rank) and writes summary.json.
 * scores.csv carries reason codes every reader may see; screening-based codes stay on the
 * psychologists' lists.
 */
export async function summaryStage(
  spec: RunSpec,
  mode: RunSummary['mode'],
  timings: Record<string, number>,
  /** A run in one process recorded its scores shard by shard, in this database: only the rest is left. */
  recorded?: { db: Db; record: Recorded },
): Promise<RunSummary> {
  const work = workDir(spec);
  const ingest = JSON.parse(await readFile(join(work, 'ingest.json'), 'utf8')) as IngestSummary;
  const scores = new CsvWriter(join(spec.out, 'scores.csv'), SCORE_COLUMNS);
  const tiers = { high: 0, medium: 0, low: 0 };
  let scored = 0;
  const lists: WrittenList[] = [];
  for (let k = 0; k < ingest.shards.length; k++) {
    // The score stage wrote this shard's lines of scores.csv: joined here, not parsed back and redone.
    const part = JSON.parse(await readFile(join(work, 'scores', `${k}.lines.json`), 'utf8')) as Omit<ScoreLines, 'text'>;
    scores.raw(await readFile(join(work, 'scores', `${k}.csv`), 'utf8'));
    for (const t of ['high', 'medium', 'low'] as const) tiers[t] += part.tiers[t];
    scored += part.scored;
    lists.push(...(JSON.parse(await readFile(join(work, 'lists', `${k}.json`), 'utf8')) as WrittenList[]));
  }
  await scores.close();
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
    shards: ingest.shards.length,
    lists: {
      head_teacher: lists.filter((l) => l.kind === 'head_teacher').length,
      triage: lists.filter((l) => l.kind === 'triage').length,
      paths: lists.flatMap((l) => [relative(spec.out, l.csv), relative(spec.out, l.html)]).sort(),
    },
    timings_ms: timings,
  };
  summary.drift = await driftSummary(spec, ingest.shards.length);
  if (summary.drift.alerts.length > 0) log.warn({ run: summary.run_key, alerts: summary.drift.alerts }, 'drift beyond thresholds: analysts should look');
  if (spec.database) {
    const db = recorded?.db ?? (await openDb({ url: spec.database }));
    try {
      // A queued run reads each shard's rows back to record them, one shard at a time.
      const run = { run_key: summary.run_key, as_of: summary.as_of, model_id: summary.model_id };
      const shards = ingest.shards.length;
      summary.record =
        recorded?.record ??
        (await recordRunAsScored(
          db,
          run,
          async (add) => {
            for (let k = 0; k < shards; k++) await add((await readScored(spec, k)).sort(byScoresOrder));
          },
          { tiers, scored },
        ));
      const planned = await planListDeliveries(db, lists, await staffContacts(work), {
        asOf: summary.as_of,
        linkBase: process.env.EWS_PUBLIC_URL ?? `file://${spec.out}`,
        email: Boolean(process.env.EWS_SMTP_URL),
      });
      if (summary.drift.alerts.length > 0) {
        // Analysts hear of drift by their own channels: what moved, and where the summary is.
        for (const a of (await staffContacts(work)).filter((s) => s.role === 'analyst')) {
          const notice = {
            kind: 'drift' as const,
            school_id: '',
            recipient: a.staff_id,
            as_of: summary.as_of,
            high: 0,
            medium: 0,
            drift: summary.drift.alerts,
            link: `${process.env.EWS_PUBLIC_URL ?? `file://${spec.out}`}/summary.json`,
          };
          if (a.webhook_url) planned.push(await planDelivery(db, 'webhook', a.staff_id, a.webhook_url, notice));
          if (a.email && process.env.EWS_SMTP_URL) planned.push(await planDelivery(db, 'email', a.staff_id, a.email, notice));
        }
      }
      summary.record.deliveries_planned = planned.length;
    } finally {
      if (!recorded) await db.close();
    }
  }
  await writeFile(join(spec.out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

/** Staff channels from the checked staff table (none where staff.csv is absent). */
async function staffContacts(work: string): Promise<StaffContact[]> {
  const file = join(work, 'tables', 'staff.tbl');
  if (!existsSync(file)) return [];
  const t = await readTableKept(file);
  const school = t.codes('school_id');
  return t.strings('staff_id').map((id, i) => ({
    staff_id: id,
    school_id: school.dict[school.data[i]],
    role: STAFF_ROLES[t.uint8('role')[i]],
    webhook_url: t.strings('webhook_url')[i],
    email: t.strings('email')[i],
  }));
}

/** Week-over-week high-tier overlap below this is churn worth a look. */
export const OVERLAP_ALERT = 0.3;

async function driftSummary(spec: RunSpec, shards: number): Promise<NonNullable<RunSummary['drift']>> {
  const model = await loadModel(spec.modelId, spec.modelsDir);
  const parts: DriftCounts[] = [];
  for (let k = 0; k < shards; k++) parts.push(JSON.parse(await readFile(join(workDir(spec), 'drift', `${k}.json`), 'utf8')) as DriftCounts);
  const sum = (a: number[][]) => a.reduce((acc, x) => acc.map((v, i) => v + (x[i] ?? 0)), new Array(a[0]?.length ?? 0).fill(0) as number[]);
  const ref = model.meta.reference;
  const out: NonNullable<RunSummary['drift']> = { psi: {}, score_psi: null, high_tier_overlap: null, alerts: [] };
  if (ref) {
    for (const name of Object.keys(ref.features)) out.psi[name] = Math.round(psi(ref.features[name], sum(parts.map((p) => p.features[name]))) * 1000) / 1000;
    out.score_psi = Math.round(psi(ref.risk, sum(parts.map((p) => p.risk))) * 1000) / 1000;
    for (const [name, v] of Object.entries(out.psi)) if (v > PSI_ALERT) out.alerts.push(`feature ${name} PSI ${v}`);
    if (out.score_psi > PSI_ALERT) out.alerts.push(`score PSI ${out.score_psi}`);
  } else {
    out.alerts.push('the model has no training reference: drift not measured');
  }
  const both = parts.reduce((a, p) => a + p.high_both, 0);
  const either = parts.reduce((a, p) => a + p.high_either, 0);
  out.high_tier_overlap = either > 0 ? Math.round((both / either) * 1000) / 1000 : null;
  if (out.high_tier_overlap !== null && out.high_tier_overlap < OVERLAP_ALERT) out.alerts.push(`high tier overlap with last week ${out.high_tier_overlap}`);
  return out;
}
