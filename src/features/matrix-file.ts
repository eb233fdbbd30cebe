import { readBin, writeBin } from '../util/bin-file.js';
import type { Day } from '../dates/index.js';
import { FeatureMatrix, type Detail } from './matrix.js';

/** Writes feature matrices (values, students, details) and extras so another process can score them. */
export async function writeMatrices(path: string, matrices: Record<string, FeatureMatrix>, extra: unknown): Promise<void> {
  const arrays: Record<string, Float32Array | Int32Array> = {};
  const meta: Record<string, { asOf: Day; details: [string, [number, Detail][]][] }> = {};
  for (const [name, m] of Object.entries(matrices)) {
    arrays[`${name}.values`] = m.values;
    arrays[`${name}.students`] = m.students;
    meta[name] = { asOf: m.asOf, details: [...m.details].map(([k, v]) => [k, [...v]]) };
  }
  await writeBin(path, { meta, extra }, arrays);
}

export async function readMatrices<E>(path: string): Promise<{ matrices: Record<string, FeatureMatrix>; extra: E }> {
  const { header, arrays } = await readBin<{ meta: Record<string, { asOf: Day; details: [string, [number, Detail][]][] }>; extra: E }>(path);
  const matrices: Record<string, FeatureMatrix> = {};
  for (const [name, meta] of Object.entries(header.meta)) {
    const m = new FeatureMatrix(meta.asOf, arrays[`${name}.students`] as Int32Array);
    m.values.set(arrays[`${name}.values`] as Float32Array);
    for (const [k, entries] of meta.details) for (const [row, d] of entries) m.setDetail(k, row, d);
    matrices[name] = m;
  }
  return { matrices, extra: header.extra };
}
