import { formatDay, parseDay, todayInChina, type Day } from '../../dates/index.js';
import { openDb } from '../../store/index.js';
import { followupLabels } from '../../followup/index.js';
import { prepare, type Prepared } from '../../features/index.js';
import {
  auditFairness,
  currentModelId,
  evaluateModel,
  listModels,
  loadModel,
  previousModelId,
  promoteModel,
  promotionGate,
  resolveModelId,
  trainModel,
  withFollowupOutcomes,
  evaluateLive,
  type StoredList,
  type ModelKind,
  type KnownOn,
} from '../../model/index.js';
import { EwsError, OptionError } from '../../errors/index.js';
import type { FeaturePolicy, Mitigation } from '../../model/index.js';
import { createProgress, log } from '../../observability/index.js';
import { isHistory, loadDistrict, readManifest } from '../../sources/index.js';

async function prepared(data: string, asOf: Day) {
  // Rows dated after D may sit in the folder; features and labels never read past their windows.
  const { district } = await loadDistrict(data, { today: Math.max(asOf, todayInChina()) });
  return prepare(district);
}

/**
 * A kept history as known on each day, prepared: the last one is kept, since example dates come in
 * order and a week's dates share the pulls known by then.
 */
function knownOnEachDate(history: string): KnownOn {
  if (!isHistory(history)) throw new OptionError('--as-known-then', `${history} is not a kept history (ews pull makes one)`);
  const pulls = readManifest(history).pulls.map((x) => parseDay(x.seen_on));
  let last: { known: number; p: Promise<Prepared> } | null = null;
  return (d) => {
    const known = pulls.filter((s) => s <= d).length;
    if (!last || last.known !== known) last = { known, p: loadDistrict(history, { knownOn: d, partial: true }).then(({ district }) => prepare(district)) };
    return last.p;
  };
}

export async function trainCommand(o: {
  data: string;
  asOf: Day;
  horizonDays: number;
  seed: number;
  kinds?: ModelKind[];
  followup?: boolean;
  asKnownThen?: boolean;
  policy?: FeaturePolicy;
  mitigation?: Mitigation | 'auto';
}) {
  const knownOn = o.asKnownThen ? knownOnEachDate(o.data) : undefined;
  let p = await prepared(o.data, o.asOf);
  let treated: Map<number, Day> | undefined;
  if (o.followup) {
    // What the follow-up recorded: outcomes as labels, interventions to tell treated students apart.
    const db = await openDb();
    try {
      const labels = await followupLabels(db);
      p = prepare(withFollowupOutcomes(p.district, labels.outcomes));
      treated = new Map(
        labels.treated.flatMap((t) =>
          p.district.roster.index.has(t.student_id) ? [[p.district.roster.index.get(t.student_id)!, parseDay(t.date)] as [number, Day]] : [],
        ),
      );
    } finally {
      await db.close();
    }
  }
  // A bar on a terminal; a log line as each phase ends (examples built, each candidate fitted), anywhere.
  const bar = createProgress();
  let phase = '';
  let steps = 0;
  let since = performance.now();
  const ended = () => phase && log.info({ phase, steps, ms: Math.round(performance.now() - since) }, 'training phase done');
  const result = await trainModel(p, {
    asOf: o.asOf,
    horizonDays: o.horizonDays,
    seed: o.seed,
    kinds: o.kinds,
    policy: o.policy,
    mitigation: o.mitigation,
    treated,
    knownOn,
    onProgress: (name, done, total) => {
      if (name !== phase) {
        ended();
        bar.stop();
        bar.start(total, name);
        phase = name;
        since = performance.now();
      }
      steps = done;
      bar.update(done);
    },
  });
  ended();
  bar.stop();
  return result;
}

export async function evaluateCommand(o: { data: string; model: string; asOf: Day; horizonDays: number }) {
  const model = await loadModel(await resolveModelId(o.model));
  const e = evaluateModel(await prepared(o.data, o.asOf), model, o.asOf, o.horizonDays);
  return {
    model_id: e.model_id,
    as_of: formatDay(e.as_of),
    horizon_days: e.horizon_days,
    auc: e.metrics.auc,
    pr_auc: e.metrics.pr_auc,
    brier: e.metrics.brier,
    precision_at_10pct: e.metrics.precision_at_10pct,
    recall_at_10pct: e.metrics.recall_at_10pct,
    n_train: model.meta.metrics.n_train,
    n_test: e.metrics.n,
    positives_test: e.metrics.positives,
    ece: e.ece,
    baselines: e.baselines,
  };
}

export async function modelsCommand() {
  const all = await listModels();
  const lines = all.map(({ meta, current }) => {
    const t = meta.metrics.test;
    return `${current ? '*' : ' '} ${meta.id.padEnd(36)} ${meta.kind.padEnd(8)} as of ${meta.as_of}  horizon ${meta.horizon_days}d  AUC ${t.auc.toFixed(3)}  PR-AUC ${t.pr_auc.toFixed(3)}`;
  });
  return {
    text: lines.length > 0 ? lines.join('\n') + '\n(* = in use)' : 'no models registered yet: ews train …',
    json: all.map(({ meta, current }) => ({
      model_id: meta.id,
      kind: meta.kind,
      as_of: meta.as_of,
      horizon_days: meta.horizon_days,
      in_use: current,
      auc: meta.metrics.test.auc,
      pr_auc: meta.metrics.test.pr_auc,
      brier: meta.metrics.test.brier,
    })),
  };
}

/**
 * Puts a model in use through the gate: on its own hold-out it must beat the model in use and
 * both baselines, pass the fairness audit, and be calibrated no worse. An analyst may override a
 * failed gate only with a written reason, which is recorded with the promotion.
 */
export async function promoteCommand(o: { id: string; by: string; reason: string; data?: string; override?: string }) {
  const challenger = await loadModel(o.id); // refuses a model that cannot be loaded before it goes into use
  if (!o.data) {
    if (!o.override) throw new OptionError('--data', 'is needed to run the promotion gate (or give --override "why" to skip it)');
    return { promotion: await promoteModel(o.id, o.by, o.reason, undefined, { passes: false, failed: ['gate not run'], override: o.override }), gate: null };
  }
  const currentId = await currentModelId();
  const current = currentId && currentId !== o.id ? await loadModel(currentId) : null;
  const gate = promotionGate(
    await prepared(o.data, Math.max(...challenger.meta.window.test.map(parseDay)) + challenger.meta.horizon_days),
    challenger,
    current,
  );
  const failed = gate.checks.filter((c) => !c.passed).map((c) => `${c.name} (${c.detail})`);
  if (!gate.passes && !o.override) {
    throw new EwsError('EWS_BAD_OPTION', `${o.id} does not pass the promotion gate: ${failed.join('; ')}; give --override "why" to promote it anyway`);
  }
  const promotion = await promoteModel(o.id, o.by, o.reason, undefined, { passes: gate.passes, failed, ...(gate.passes ? {} : { override: o.override }) });
  return { promotion, gate };
}

/** The promotion gate as a report only: what `ews promote` would decide, and why. */
export async function gateCommand(o: { id: string; data: string }) {
  const challenger = await loadModel(o.id);
  const currentId = await currentModelId();
  const current = currentId && currentId !== o.id ? await loadModel(currentId) : null;
  return promotionGate(await prepared(o.data, Math.max(...challenger.meta.window.test.map(parseDay)) + challenger.meta.horizon_days), challenger, current);
}

export async function rollbackCommand(o: { by: string; reason: string }) {
  const previous = await previousModelId();
  if (!previous) throw new EwsError('EWS_NO_MODEL', 'there is no earlier model to go back to');
  await loadModel(previous);
  return promoteModel(previous, o.by, `rollback: ${o.reason}`);
}

export async function auditCommand(o: { data: string; model: string; asOf: Day; horizonDays: number; weeks?: number }) {
  const model = await loadModel(await resolveModelId(o.model));
  const p = await prepared(o.data, o.asOf + o.horizonDays);
  // Several weeks' lists pooled: one week of a small district holds too few dropouts per group to judge.
  const weeks = o.weeks ?? 1;
  const dates = Array.from({ length: weeks }, (_, k) => o.asOf - 7 * (weeks - 1 - k));
  return auditFairness(p, model, dates, o.horizonDays);
}

/**
 * Each past week's lists (the runs the store kept) against what then happened in the data folder,
 * with the outcomes follow-up recorded added; `record` keeps the result for the analyst page.
 */
export async function liveEvaluateCommand(o: { data: string; horizonDays: number; record?: boolean }) {
  const { district } = await loadDistrict(o.data, { today: todayInChina() });
  const db = await openDb();
  try {
    const labels = await followupLabels(db);
    const p = prepare(withFollowupOutcomes(district, labels.outcomes));
    const knownThrough = lastDayOf(p);
    const runs = await db.query<{ run_key: string; as_of: string; model_id: string }>(
      `select distinct on (as_of) run_key, to_char(as_of, 'YYYY-MM-DD') as as_of, model_id from runs order by as_of, created_at desc`,
    );
    if (runs.rows.length === 0) throw new EwsError('EWS_NO_EXAMPLES', 'the store holds no weekly run yet: nothing to evaluate (ews run records one)');
    const lists: StoredList[] = [];
    let unknown = 0;
    for (const r of runs.rows) {
      const scores = await db.query<{ student_id: string; risk: number; tier: string }>(`select student_id, risk, tier from scores where run_key = $1`, [
        r.run_key,
      ]);
      const kept = scores.rows.filter((x) => p.district.roster.index.has(x.student_id));
      unknown += scores.rows.length - kept.length;
      lists.push({
        asOf: parseDay(r.as_of),
        modelId: r.model_id,
        students: Int32Array.from(kept, (x) => p.district.roster.index.get(x.student_id)!),
        risk: Float64Array.from(kept, (x) => Number(x.risk)),
        listed: Uint8Array.from(kept, (x) => (x.tier === 'high' ? 1 : 0)),
      });
    }
    if (unknown > 0) log.warn({ scores: unknown }, 'scored students no longer on file were left out of the live evaluation');
    const result = evaluateLive(p, lists, o.horizonDays, knownThrough);
    if (o.record)
      await db.query(`insert into live_evaluations (horizon_days, known_through, result) values ($1, $2, $3)`, [
        o.horizonDays,
        formatDay(knownThrough),
        JSON.stringify(result),
      ]);
    return { known_through: formatDay(knownThrough), ...result };
  } finally {
    await db.close();
  }
}

/** The last day any row of the folder is dated: outcomes are known through it. */
function lastDayOf(p: Prepared): Day {
  let last = Number.NEGATIVE_INFINITY;
  for (const days of [p.attendance.day, p.grades.day, p.meal?.day, p.wellbeing?.day]) if (days) for (const x of days) if (x > last) last = x;
  const o = p.district.outcomes;
  if (o) for (const x of o.int32('date')) if (x > last) last = x;
  if (!Number.isFinite(last)) throw new EwsError('EWS_NO_EXAMPLES', 'the folder holds no dated row: no outcome can be known');
  return last;
}
