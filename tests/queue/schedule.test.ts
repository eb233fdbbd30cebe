import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installSchedule, listSchedules, removeSchedule } from '../../src/queue/schedule.js';
import { currentModelId } from '../../src/model/index.js';
import { retrainChallenger } from '../../src/pipeline/index.js';
import { tempDir } from '../helpers/folder.js';
import { clearPrefix, testPrefix } from '../helpers/redis.js';
import { writePlantedDistrict } from '../helpers/planted.js';

describe('the schedules', () => {
  const prefix = testPrefix('sched');
  afterAll(() => clearPrefix(prefix));

  it("should install the weekly run, the same-day check and the retrain on BullMQ's scheduler", async () => {
    await installSchedule({ data: '/srv/district', out: '/srv/out', prefix });
    const all = await listSchedules({ prefix });
    expect(all.map((s) => [s.id.split('-')[0], s.pattern, s.tz]).sort()).toEqual([
      ['acute', '0 7,15 * * *', 'Asia/Shanghai'],
      ['retrain', '0 3 1 * *', 'Asia/Shanghai'],
      ['weekly', '0 6 * * 1', 'Asia/Shanghai'],
    ]);
    const weekly = all.find((s) => s.id.startsWith('weekly'))!;
    // Next Monday 06:00 in Shanghai is a Sunday 22:00 in UTC.
    expect(new Date(weekly.next!).getUTCDay()).toBe(0);
    expect(new Date(weekly.next!).getUTCHours()).toBe(22);
    await removeSchedule('/srv/district', { prefix });
    expect(await listSchedules({ prefix })).toEqual([]);
  });
});

describe('the scheduled retrain', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  const saved = process.env.EWS_MODELS_DIR;
  beforeAll(async () => {
    t = await tempDir();
    process.env.EWS_MODELS_DIR = join(t.dir, 'models');
    await mkdir(join(t.dir, 'data'));
  });
  afterAll(async () => {
    process.env.EWS_MODELS_DIR = saved;
    await t.cleanup();
  });

  it('should train a challenger, put it through the gate, report — and not promote it', async () => {
    const { asOf } = await writePlantedDistrict(join(t.dir, 'data'), { seed: 9, students: 1500 });
    const report = await retrainChallenger({ data: join(t.dir, 'data'), asOf, horizonDays: 28 });
    expect(report.promoted).toBe(false);
    expect(report.gate.checks.length).toBeGreaterThan(3);
    expect(await currentModelId()).toBeNull();
    const file = join(t.dir, 'models', report.challenger, 'gate.json');
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(await readFile(file, 'utf8')).gate.challenger).toBe(report.challenger);
  });
});
