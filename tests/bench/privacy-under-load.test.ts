import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/folder.js';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

describe('a benchmark run', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => (t = await tempDir()));
  afterAll(() => t.cleanup());

  it('should log nothing personal, at debug level, across the whole weekly run', async () => {
    const log = join(t.dir, 'bench.log');
    await run(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'run.ts'), '--only', 'weekly-run', '--sizes', '10000'], {
      cwd: ROOT,
      env: { ...process.env, EWS_LOG_FILE: log, EWS_BENCH_DIR: join(t.dir, 'districts') },
      maxBuffer: 1 << 24,
    });
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    // The generated district has notes, staff names and addresses: none of them may reach the log.
    const scan = await run(process.execPath, [join(ROOT, 'scripts', 'scan-logs.mjs'), log, '--min-lines', '10']);
    expect(scan.stdout).toMatch(/hold nothing personal/);
  }, 300_000);
});
