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
    await promoteModel('ews-other', 'analyst-2', 'challenger', t.dir, {
      passes: false,
      failed: ['fairness audit'],
      override: 'urban recall is low in both; this one is better on PR-AUC',
    });
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
    // Other weights in the same files: the kept model must not be served.
    const file = join(t.dir, bundled, a.kind === 'gbt' ? 'trees.json' : 'weights.bin');
    if (a.kind === 'gbt') {
      const e = JSON.parse(await readFile(file, 'utf8'));
      for (const tree of e.trees) tree.value = tree.value.map((v: number) => v * 2);
      await writeFile(file, JSON.stringify(e));
    } else {
      const bytes = await readFile(file);
      const changed = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)).map((w) => w * 2);
      await writeFile(file, new Uint8Array(changed.buffer));
    }
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    const b = await loadModel(bundled, t.dir);
    expect(b).not.toBe(a);
    if (a.kind === 'gbt' && b.kind === 'gbt') expect(b.trees.trees[0].value[1]).toBeCloseTo(a.trees.trees[0].value[1] * 2, 9);
    else if (a.kind !== 'gbt' && b.kind !== 'gbt') expect(b.net[0].kernel[0]).toBeCloseTo(a.net[0].kernel[0] * 2, 5);
    else throw new Error('the model changed kind');
    await rm(file);
    await expect(loadModel(bundled, t.dir)).rejects.toThrow();
  });
});
