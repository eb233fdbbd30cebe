import { resolve } from 'node:path';
import type { Lang } from '../alerts/index.js';
import { todayInChina, type Day } from '../dates/index.js';
import { modelsDir, resolveModelId } from '../model/index.js';
import type { TierOptions } from '../scoring/index.js';
import { isHistory, readManifest, type Encoding } from '../sources/index.js';
import type { RunSpec } from './run-spec.js';

export interface PlanOptions {
  data: string;
  out: string;
  /** Default: today in Asia/Shanghai (what a scheduled run uses). */
  asOf?: Day;
  /** Default: the model in use. */
  model?: string;
  lang?: Lang;
  tiers?: TierOptions;
  shardStudents?: number;
  encoding?: Encoding;
  /** Default: DATABASE_URL, else EWS_DB, else the embedded store in .ews/db. null keeps no record. */
  database?: string | null;
  /** With a kept history as `data`: as known on this day. Default: as known now. */
  knownOn?: Day;
}

/** Settles every choice of a run up front (which model, which date), so all its jobs agree. */
export async function planRun(o: PlanOptions): Promise<RunSpec> {
  const asOf = o.asOf ?? todayInChina();
  const dir = modelsDir();
  const out = resolve(o.out);
  return {
    data: resolve(o.data),
    out,
    asOf,
    modelId: await resolveModelId(o.model, dir),
    modelsDir: dir,
    lang: o.lang ?? 'zh-CN',
    tiers: o.tiers ?? {},
    shardStudents: o.shardStudents ?? 50_000,
    encoding: o.encoding,
    today: Math.max(asOf, todayInChina()),
    knownOn: o.knownOn,
    throughPull: isHistory(o.data) ? (readManifest(o.data).pulls.at(-1)?.seq ?? 0) : undefined,
    database: o.database === null ? null : resolveDatabase(o.database ?? process.env.DATABASE_URL ?? process.env.EWS_DB ?? '.ews/db'),
    delivery: { linkBase: process.env.EWS_PUBLIC_URL ?? `file://${out}`, email: Boolean(process.env.EWS_SMTP_URL) },
  };
}

function resolveDatabase(url: string): string {
  return /^(postgres(ql)?|memory):\/\//.test(url) ? url : resolve(url);
}
