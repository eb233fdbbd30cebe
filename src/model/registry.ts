import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EwsError } from '../errors/index.js';
import { filesStamp, Kept } from '../util/kept.js';
import type { Platt } from './calibrate.js';
import { initTf, tf } from './backend.js';
import type { ReliabilityBin, Metrics } from './metrics.js';
import type { ModelKind } from './networks.js';
import { toDenseStack } from './networks.js';
import type { ScoringModel } from './scorer.js';
import type { Standardiser } from './standardise.js';
import type { TreeEnsemble } from './trees.js';
import type { SavedParts } from './candidates.js';
import { RULES_MODEL_ID, rulesModel } from './rules.js';

/** Everything recorded about a trained model beside its weights. */
export interface ModelMeta {
  id: string;
  kind: ModelKind;
  created_at: string;
  /** Trained from data dated on or before this day. */
  as_of: string;
  horizon_days: number;
  seed: number;
  features: string[];
  standardiser: Standardiser;
  calibration: Platt;
  hyper: { hidden?: number[]; [k: string]: unknown };
  /** Registered features the model does not take, and why (constant on the training rows…). */
  left_out?: { feature: string; reason: string }[];
  window: { train: string[]; validation: string[]; test: string[]; gap_relaxed: boolean };
  /** sha256 of the training, validation and test examples (features and labels). */
  fingerprint: string;
  backend: string;
  /** Distributions of every feature and of risk on the latest labelled (hold-out) block, for drift checks. */
  reference?: { features: Record<string, import('./reference.js').Reference>; risk: import('./reference.js').Reference };
  /** The fairness audit on the temporal hold-out, at the list size in use. */
  fairness?: import('./fairness.js').FairnessAudit;
  /** Per-group logit offsets, where the group_offsets mitigation was chosen (mitigation.ts). */
  offsets?: import('./mitigation.js').GroupOffset[];
  /** The feature policy it was trained under, what it left out, and what that cost on the test block. */
  policy?: import('./fair-selection.js').PolicyRecord;
  /** The mitigations tried, each on validation and test, and the one chosen. */
  mitigation?: import('./fair-selection.js').MitigationRecord;
  /** Examples left out because the student had been helped by then (follow-up interventions). */
  treated_examples_excluded?: number;
  /**
   * Which rows each example's features saw: all rows dated on or before its date as known when the
   * model was trained (corrections and late entries included: hindsight), or only those a kept
   * history held on that date, as a weekly run then saw them.
   */
  knowledge?: 'as known when trained' | 'as known on each example date';
  metrics: {
    n_train: number;
    test: Metrics;
    validation: Record<string, Metrics>;
    baselines: Record<string, Metrics>;
    reliability: { bins: ReliabilityBin[]; ece: number };
    /** Calibration on the test block, school by school. */
    by_school?: Record<string, { n: number; positives: number; mean_predicted: number; observed: number; ece: number }>;
  };
}

export type LoadedModel = ScoringModel & { readonly meta: ModelMeta };

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where models live: `EWS_MODELS_DIR`, else the repository's models/ folder. */
export function modelsDir(): string {
  return process.env.EWS_MODELS_DIR ?? join(ROOT, 'models');
}

/**
 * Writes a model folder: a network as model.json + weights.bin (TensorFlow.js layers format),
 * trees as trees.json; then meta.json and MODEL_CARD.md.
 */
export async function saveModel(dir: string, parts: SavedParts, meta: ModelMeta, card: string): Promise<string> {
  const folder = join(dir, meta.id);
  await mkdir(folder, { recursive: true });
  if (parts.trees) await writeFile(join(folder, 'trees.json'), JSON.stringify(parts.trees));
  if (parts.layers)
    await parts.layers.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weights = artifacts.weightData as ArrayBuffer;
        await writeFile(join(folder, 'weights.bin'), Buffer.from(weights));
        const manifest = {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        };
        await writeFile(join(folder, 'model.json'), JSON.stringify(manifest));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
  await writeFile(join(folder, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  await writeFile(join(folder, 'MODEL_CARD.md'), card);
  return folder;
}

/**
 * A registered model, ready to score. A worker scores many shards with the same model: it is
 * loaded once and kept while its files stay as they are (a few models at most; never a failure).
 */
export async function loadModel(id: string, dir = modelsDir()): Promise<LoadedModel> {
  if (id === RULES_MODEL_ID) return RULES;
  const folder = join(dir, id);
  const files = [
    'meta.json',
    ...(existsSync(join(folder, 'trees.json')) ? ['trees.json'] : []),
    ...(existsSync(join(folder, 'model.json')) ? ['model.json', 'weights.bin'] : []),
  ];
  return loaded.get(folder, await filesStamp(files.map((f) => join(folder, f))), () => readModel(id, dir));
}

const RULES = rulesModel();
const loaded = new Kept<LoadedModel>({ max: 4, idleMs: 10 * 60_000 });

async function readModel(id: string, dir: string): Promise<LoadedModel> {
  await initTf();
  const folder = join(dir, id);
  if (!existsSync(join(folder, 'meta.json'))) throw new EwsError('EWS_NO_MODEL', `no model ${id} in ${dir}`);
  const meta = JSON.parse(await readFile(join(folder, 'meta.json'), 'utf8')) as ModelMeta;
  const scaled = { meta, features: meta.features, standardiser: meta.standardiser, calibration: meta.calibration, offsets: meta.offsets };
  const trees = meta.kind === 'gbt' || meta.kind === 'blend' ? (JSON.parse(await readFile(join(folder, 'trees.json'), 'utf8')) as TreeEnsemble) : null;
  if (meta.kind === 'gbt') return { ...scaled, kind: 'gbt', trees: trees! };
  const manifest = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
  const weights = await readFile(join(folder, 'weights.bin'));
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: manifest.modelTopology,
      weightSpecs: manifest.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  const net = toDenseStack(model);
  model.dispose();
  if (meta.kind === 'blend') return { ...scaled, kind: 'blend', net, trees: trees! };
  return { ...scaled, kind: meta.kind, net };
}

export interface Promotion {
  id: string;
  at: string;
  by: string;
  reason: string;
  /** The gate's verdict, and the written reason where an analyst overrode it. */
  gate?: { passes: boolean; failed: string[]; override?: string };
}

/** The model in use, or null when none has been promoted. */
export async function currentModelId(dir = modelsDir()): Promise<string | null> {
  const file = join(dir, 'current.json');
  if (!existsSync(file)) return null;
  return (JSON.parse(await readFile(file, 'utf8')) as Promotion).id;
}

/** Puts a model in use, explicitly, and keeps the record of who did it and why. */
export async function promoteModel(id: string, by: string, reason: string, dir = modelsDir(), gate?: Promotion['gate']): Promise<Promotion> {
  if (!existsSync(join(dir, id, 'meta.json'))) throw new EwsError('EWS_NO_MODEL', `no model ${id} in ${dir}`);
  const p: Promotion = { id, at: new Date().toISOString(), by, reason, ...(gate ? { gate } : {}) };
  await writeFile(join(dir, 'current.json'), JSON.stringify(p, null, 2) + '\n');
  await appendFile(join(dir, 'promotions.jsonl'), JSON.stringify(p) + '\n');
  return p;
}

export async function listModels(dir = modelsDir()): Promise<{ meta: ModelMeta; current: boolean }[]> {
  if (!existsSync(dir)) return [];
  const current = await currentModelId(dir);
  const out: { meta: ModelMeta; current: boolean }[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const file = join(dir, name, 'meta.json');
    if (!existsSync(file)) continue;
    const meta = JSON.parse(await readFile(file, 'utf8')) as ModelMeta;
    out.push({ meta, current: meta.id === current });
  }
  return out;
}

/** `current` (or nothing) means the model in use; anything else is an id. */
export async function resolveModelId(id: string | undefined, dir = modelsDir()): Promise<string> {
  if (id && id !== 'current') return id;
  const current = await currentModelId(dir);
  if (!current) throw new EwsError('EWS_NO_MODEL', 'no model is in use: train one (ews train) and promote it (ews promote ID)');
  return current;
}

/** Every promotion, oldest first. */
export async function promotionHistory(dir = modelsDir()): Promise<Promotion[]> {
  const file = join(dir, 'promotions.jsonl');
  if (!existsSync(file)) return [];
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Promotion);
}

/** The model in use before the current one, to go back to. */
export async function previousModelId(dir = modelsDir()): Promise<string | null> {
  const current = await currentModelId(dir);
  const history = await promotionHistory(dir);
  for (let i = history.length - 1; i >= 0; i--) if (history[i].id !== current) return history[i].id;
  return null;
}
