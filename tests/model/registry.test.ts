import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentModelId, modelsDir, previousModelId, promoteModel, promotionHistory } from '../../src/model/index.js';
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
});
