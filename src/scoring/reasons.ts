import { FEATURES, type Detail, type FeatureDef, type FeatureMatrix, type ReasonAudience } from '../features/index.js';
import { attributions, attributionScratch, type AttributionScratch, type ScoringModel } from '../model/index.js';

/** One reason a student is on a list: a stable code (the feature's name) and its words. */
export interface Reason {
  readonly code: string;
  /** The feature's part in the logit: how hard it pushed the risk up. */
  readonly weight: number;
  /** The feature's value and detail the words were made from: what the system of record keeps. */
  readonly value: number;
  readonly detail?: Detail;
  readonly zh: string;
  readonly en: string;
  readonly audience: ReasonAudience;
}

export interface ReasonOptions {
  /** At most this many reasons, strongest first. Default 4. */
  max?: number;
  /** Reasons that push the logit up by less are left out. Default 0.1. */
  minWeight?: number;
}

const BY_NAME = new Map<string, FeatureDef>(FEATURES.map((f) => [f.name, f]));

/**
 * The features that pushed a student's risk up most, in words. A feature becomes a reason only
 * if it has words, its value makes them true, and it may be shown at all: gender and ethnicity
 * are not inputs, disability or hukou never become reasons, and circumstances (left behind, single
 * parent, orphan, boarder) are shown as context apart (circumstancesOf), never as a reason.
 */
const scratches = new WeakMap<ScoringModel, AttributionScratch>();

export function reasonsFor(model: ScoringModel, m: FeatureMatrix, row: number, options: ReasonOptions = {}): Reason[] {
  const max = options.max ?? 4;
  const minWeight = options.minWeight ?? 0.1;
  let scratch = scratches.get(model);
  if (!scratch) scratches.set(model, (scratch = attributionScratch(model)));
  const a = attributions(model, m, row, scratch); // read here only: the next student reuses it
  const out: Reason[] = [];
  // Most students have few features above the floor: sort only those.
  const order: number[] = [];
  for (let k = 0; k < a.length; k++) if (a[k] >= minWeight) order.push(k);
  order.sort((x, y) => a[y] - a[x] || x - y);
  for (const k of order) {
    if (out.length >= max) break;
    const f = BY_NAME.get(model.features[k]);
    if (!f?.reason || f.audience === 'never' || f.circumstance) continue;
    const v = m.get(row, f.name);
    if (!f.reason.when(v)) continue;
    const d = m.detail(f.name, row);
    out.push(reasonOf(f, a[k], v, d));
  }
  return out;
}

const CIRCUMSTANCES = FEATURES.filter((f) => f.circumstance && f.reason);

/** A student's circumstances that hold, in words, in the registry's order: context beside the reasons. */
export function circumstancesOf(m: FeatureMatrix, row: number): Reason[] {
  const out: Reason[] = [];
  for (const f of CIRCUMSTANCES) {
    const v = m.get(row, f.name);
    if (f.reason!.when(v)) out.push(reasonOf(f, 0, v, undefined));
  }
  return out;
}

function reasonOf(f: FeatureDef, weight: number, value: number, detail: Detail | undefined): Reason {
  const r = f.reason!;
  return { code: f.name, weight, value, ...(detail ? { detail } : {}), zh: r.zh(value, detail?.zh), en: r.en(value, detail?.en), audience: f.audience };
}

/**
 * A reason as the system of record keeps it: its code, weight, the value and detail its words are
 * made from — not the words. Storing the words (jsonb, both languages) made recording a million
 * scores take minutes on the embedded store; the words are rendered again when shown.
 */
export type StoredReason = [code: string, weight: number, value: number, detailZh?: string, detailEn?: string];

export function storedReason(r: Reason): StoredReason {
  // The value exactly (the words round it: a shortened value could round the other way); the weight only orders.
  const out: StoredReason = [r.code, Math.round(r.weight * 1000) / 1000, r.value];
  if (r.detail) out.push(r.detail.zh, r.detail.en);
  return out;
}

/**
 * The reasons of a stored score, in words again. Rows recorded before reasons were stored as codes
 * hold the words themselves and are read as they are; a code no longer registered is left out.
 */
export function renderStored(stored: readonly (StoredReason | Reason)[]): Reason[] {
  const out: Reason[] = [];
  for (const s of stored) {
    if (!Array.isArray(s)) {
      out.push(s as Reason);
      continue;
    }
    const [code, weight, value, zh, en] = s;
    const f = BY_NAME.get(code);
    if (!f?.reason || f.audience === 'never' || f.circumstance) continue; // rows kept before circumstances left the reasons
    out.push(reasonOf(f, weight, value, zh !== undefined && en !== undefined ? { zh, en } : undefined));
  }
  return out;
}

/** A stored score's circumstances (left behind, single parent…), in words: context shown apart, never a reason. */
export function renderCircumstances(stored: readonly StoredReason[]): Reason[] {
  const out: Reason[] = [];
  for (const [code, weight, value, zh, en] of stored) {
    const f = BY_NAME.get(code);
    if (f?.circumstance && f.reason) out.push(reasonOf(f, weight, value, zh !== undefined && en !== undefined ? { zh, en } : undefined));
  }
  return out;
}

/** The reasons a role may read: head teachers never see wellbeing screening results. */
export function visibleTo(reasons: readonly Reason[], role: 'head_teacher' | 'psychologist' | 'analyst'): Reason[] {
  return reasons.filter((r) => r.audience === 'all' || (r.audience === 'psychologist' && role === 'psychologist'));
}
