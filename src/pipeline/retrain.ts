import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { todayInChina, type Day } from '../dates/index.js';
import { prepare } from '../features/index.js';
import { currentModelId, loadModel, modelsDir, promotionGate, trainModel, type GateResult } from '../model/index.js';
import { log } from '../observability/index.js';
import { loadDistrict } from '../sources/index.js';

export interface RetrainReport {
  challenger: string;
  current: string | null;
  gate: GateResult;
  /** Never true: a scheduled retrain only reports; an analyst promotes (ews promote). */
  promoted: false;
}

/**
 * The scheduled retrain: a challenger trained on the labels that have closed by today, put
 * through the promotion gate against the model in use, and reported beside the model
 * (gate.json) — never promoted without an analyst.
 */
export async function retrainChallenger(o: { data: string; asOf?: Day; horizonDays?: number; seed?: number }): Promise<RetrainReport> {
  const asOf = o.asOf ?? todayInChina();
  const currentId = await currentModelId();
  const current = currentId ? await loadModel(currentId) : null;
  const horizon = o.horizonDays ?? current?.meta.horizon_days ?? 56;
  const { district } = await loadDistrict(o.data, { today: Math.max(asOf, todayInChina()) });
  const p = prepare(district);
  const trained = await trainModel(p, { asOf, horizonDays: horizon, seed: o.seed ?? 1 });
  const challenger = await loadModel(trained.meta.id);
  const gate = promotionGate(p, challenger, current && current.meta.id !== challenger.meta.id ? current : null);
  const report: RetrainReport = { challenger: challenger.meta.id, current: currentId, gate, promoted: false };
  await writeFile(join(modelsDir(), challenger.meta.id, 'gate.json'), JSON.stringify(report, null, 2) + '\n');
  log.info({ challenger: report.challenger, current: report.current, passes: gate.passes }, 'scheduled retrain finished: an analyst decides on promotion');
  return report;
}
