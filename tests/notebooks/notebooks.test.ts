import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/folder.js';

const ROOT = join(import.meta.dirname, '..', '..');
const NOTEBOOKS = join(ROOT, 'notebooks');
/** Debian's Jupyter (`.ci/run` installs it with the tslab kernel). */
const JUPYTER = process.env.JUPYTER ?? '/usr/bin/jupyter';

describe('the analysts’ notebooks', () => {
  let out: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => (out = await tempDir()));
  afterAll(() => out.cleanup());

  for (const name of readdirSync(NOTEBOOKS)
    .filter((f) => f.endsWith('.ipynb'))
    .sort()) {
    it(`should run ${name} headless, every cell, with its charts inline`, async () => {
      await promisify(execFile)(
        JUPYTER,
        ['nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=600', name, '--output', join(out.dir, name)],
        {
          cwd: NOTEBOOKS,
          env: { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH}`, EWS_LOG_FILE: '' },
          maxBuffer: 1 << 26,
        },
      );
      const nb = JSON.parse(readFileSync(join(out.dir, name), 'utf8'));
      const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === 'code');
      // tslab does not number cells; every cell here shows something, so each must have output.
      expect(code.map((c: { outputs: unknown[] }) => c.outputs.length > 0)).toEqual(code.map(() => true));
      const outputs = code.flatMap((c: { outputs: { output_type: string; data?: Record<string, string> }[] }) => c.outputs);
      expect(outputs.filter((o: { output_type: string }) => o.output_type === 'error')).toEqual([]);
      // nbformat keeps multi-line output as a list of lines.
      const html = (o: { data?: Record<string, string | string[]> }) => ([] as string[]).concat(o.data?.['text/html'] ?? []).join('');
      const svg = outputs.map(html).filter((h: string) => h.includes('<svg'));
      expect(svg.length).toBeGreaterThan(0);
      // Nothing in a chart reaches for the network.
      for (const h of svg) expect(h).not.toMatch(/(src|href)=|https?:\/\/(?!www\.w3\.org)/);
    }, 600_000);
  }
});
