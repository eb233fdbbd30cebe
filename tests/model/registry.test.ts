import { cp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentModelId, loadModel, modelsDir, previousModelId, promoteModel, promotionHistory } from '../../src/model/index.js';
import { tempDir } from '../helpers/folder.js';

describe('promotions and rollback', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  let bundled: string;
  beforeAll(async () => {
    t = await tempDir();
    bundled = (await currentModelId())!;
    await cp(join(modelsDir(), bundled), join(t.dir, bundled), { recursive: true });
    await cp(join(modelsDir(), bundled), join(t.dir, 'ews-other'), { recursive: true });
  });
  afterAll(() => t.cleanup());

  it('should record who promoted what and why, with the gate and any override, and go back on rollback', async () => {
    expect(await currentModelId(t.dir)).toBeNull();
    await promoteModel(bundled, 'analyst-1', 'first model', t.dir, { passes: true, failed: [] });
    await promoteModel('ews-other', 'analyst-2', 'challenger', t.dir, { passes: false, failed: ['fairness audit'], override: 'urban recall is low in both; this one is better on PR-AUC' });
    expect(await currentModelId(t.dir)).toBe('ews-other');
    expect(await previousModelId(t.dir)).toBe(bundled);
    const history = await promotionHistory(t.dir);
    expect(history.map((p) => [p.id, p.by, p.gate?.override ?? null])).toEqual([
      [bundled, 'analyst-1', null],
      ['ews-other', 'analyst-2', 'urban recall is low in both; this one is better on PR-AUC'],
    ]);
    await promoteModel((await previousModelId(t.dir))!, 'analyst-2', 'rollback: lists looked wrong', t.dir);
    expect(await currentModelId(t.dir)).toBe(bundled);
  });

  it('should refuse to put in use a model it does not hold', async () => {
    await expect(promoteModel('ews-none', 'x', 'y', t.dir)).rejects.toThrow(/no model ews-none/);
  });

  it('should load a model once for many shards, and again when its files change', async () => {
    const a = await loadModel(bundled, t.dir);
    expect(await loadModel(bundled, t.dir)).toBe(a);
    // Same size, other weights: the kept model must not be served.
    const weights = join(t.dir, bundled, 'weights.bin');
    const bytes = await readFile(weights);
    const changed = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)).map((w) => w * 2);
    await writeFile(weights, new Uint8Array(changed.buffer));
    await utimes(weights, new Date(), new Date(Date.now() + 5000));
    const b = await loadModel(bundled, t.dir);
    expect(b).not.toBe(a);
    if (a.kind === 'gbt' || b.kind === 'gbt') throw new Error('the bundled model is a network');
    expect(b.net[0].kernel[0]).toBeCloseTo(a.net[0].kernel[0] * 2, 5);
    await rm(weights);
    await expect(loadModel(bundled, t.dir)).rejects.toThrow();
  });
});
