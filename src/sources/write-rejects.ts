import { CsvWriter } from '../util/csv-write.js';
import type { Reject } from './read/reject.js';

export const REJECT_COLUMNS = ['file', 'line', 'column', 'value', 'reason'] as const;

export async function writeRejects(path: string, rejects: readonly Reject[]): Promise<void> {
  const w = new CsvWriter(path, REJECT_COLUMNS);
  for (const r of rejects) w.row([r.file, r.line, r.column, r.value, r.reason]);
  await w.close();
}
