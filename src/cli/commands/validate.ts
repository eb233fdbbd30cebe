import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDistrict, writeRejects, type District, type LoadReport } from '../../sources/index.js';
import type { Encoding } from '../../sources/index.js';
import { createProgress } from '../../observability/index.js';

export interface ValidateOptions {
  data: string;
  out: string;
  encoding?: Encoding;
  today?: number;
}

export interface ValidateSummary {
  data: string;
  students: number;
  rows_rejected: number;
  files: LoadReport['files'];
}

/** Reads and checks every file; writes rejects.csv and summary.json and nothing else. */
export async function validateFolder(options: ValidateOptions): Promise<{ summary: ValidateSummary; district: District }> {
  const progress = createProgress();
  let started = false;
  const { district, report } = await loadDistrict(options.data, {
    encoding: options.encoding,
    today: options.today,
    onProgress: (bytes, total) => {
      if (!started) progress.start(total, 'reading');
      started = true;
      progress.update(bytes);
    },
  });
  progress.stop();
  await mkdir(options.out, { recursive: true });
  await writeRejects(join(options.out, 'rejects.csv'), report.rejects);
  const summary: ValidateSummary = {
    data: options.data,
    students: district.roster.size,
    rows_rejected: report.rejects.length,
    files: report.files,
  };
  await writeFile(join(options.out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return { summary, district };
}

export function describeSummary(s: ValidateSummary): string {
  const lines = [`${s.students} students on file in ${s.data}`];
  for (const f of Object.values(s.files)) {
    const enc = f.encoding ? `, ${f.encoding}` : '';
    const rej = f.rows_rejected > 0 ? `, ${f.rows_rejected} rejected` : '';
    lines.push(`  ${f.file.padEnd(20)} ${String(f.rows_read).padStart(9)} rows${rej}${enc}`);
  }
  return lines.join('\n');
}
