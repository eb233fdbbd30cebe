import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { formatDay, parseDay } from '../../dates/index.js';
import { EwsError } from '../../errors/index.js';
import { pullFolder, type PullOptions, type PullReport } from '../history/pull.js';
import { readManifest } from '../history/manifest.js';
import type { Reject } from '../read/reject.js';
import { readSqlConfig } from './sql-config.js';
import type { Converted } from './xlsx.js';

const isWorkbook = (name: string) => name.toLowerCase().endsWith('.xlsx') && !name.startsWith('~$');

/**
 * Pulls what a school system hands over: a folder of contract files, a workbook (`.xlsx`, a sheet per
 * source), a folder of workbooks (one per school: each source read as a folder of parts), or — with
 * `sql` — a config of queries on the school system's databases. A connector writes the contract's
 * files into a scratch folder beside the history, which is then pulled as any folder is.
 */
export async function pullFrom(from: { data?: string; sql?: string; only?: readonly string[] }, options: PullOptions): Promise<PullReport> {
  if (Boolean(from.data) === Boolean(from.sql))
    throw new EwsError('EWS_BAD_OPTION', 'give a folder or workbook (--data) or a query config (--sql), one of them');
  // Beside the history, on its disk: what a connector writes is pulled from there, then removed.
  const scratch = async () => {
    mkdirSync(options.history, { recursive: true });
    return mkdtemp(join(options.history, '.incoming-'));
  };
  if (from.sql) {
    const config = readSqlConfig(from.sql);
    // The database clients load only when a pull needs them.
    const { queriesToFolder } = await import('./sql.js');
    const dir = await scratch();
    try {
      const label = `sql:${basename(from.sql)}`;
      await queriesToFolder(config, dir, (source) => lastPulled(options.history, label, source), from.only);
      return await pullFolder(dir, { ...options, from: label });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const data = from.data!;
  if (!existsSync(data)) throw new EwsError('EWS_MISSING_FILE', `${data} does not exist`);
  const books = statSync(data).isDirectory() ? readdirSync(data).filter(isWorkbook).sort() : isWorkbook(data) ? [''] : [];
  if (books.length === 0) return pullFolder(data, options);
  const { workbookToFolder } = await import('./xlsx.js');
  const dir = await scratch();
  try {
    if (books[0] === '') {
      const c = await workbookToFolder(data, dir);
      return await pullFolder(dir, { ...options, from: options.from ?? data, where: c.where, refusedBefore: bySource(c.rejects, c.sheets, data) });
    }
    // One workbook per school: each source becomes a folder of parts, one per workbook.
    const converted: Converted[] = [];
    for (const b of books) converted.push(await workbookToFolder(join(data, b), dir, { part: b.replace(/\.xlsx$/i, '') }));
    const where = (r: Reject) => converted.reduce((x, c) => (x === r ? c.where(r) : x), r);
    const refused: Record<string, Reject[]> = {};
    books.forEach((b, k) => {
      for (const [s, list] of Object.entries(bySource(converted[k].rejects, converted[k].sheets, b))) (refused[s] ??= []).push(...list);
    });
    return await pullFolder(dir, { ...options, from: options.from ?? data, where, refusedBefore: refused });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function bySource(rejects: readonly Reject[], sheets: Record<string, string>, book: string): Record<string, Reject[]> {
  const out: Record<string, Reject[]> = {};
  for (const r of rejects) {
    const source = Object.keys(sheets).find((s) => r.file === `${basename(book)}:${sheets[s]}`) ?? 'unknown';
    (out[source] ??= []).push(r);
  }
  return out;
}

/**
 * The day for a query's `:since`: the day before the last pull from `label` that brought `source`.
 * A day of overlap, since a modification day compared with `>` would miss what changed on the pull's
 * own day after it ran (unchanged rows are only counted again). Where later pulls refused rows (a
 * student the roll did not hold yet), it goes back to the last pull that refused none, up to a week,
 * so that those rows come again once the roll has them.
 */
function lastPulled(history: string, label: string, source: string): string {
  if (!existsSync(join(history, 'history.json'))) return '0001-01-01';
  const pulls = readManifest(history).pulls.filter((p) => p.from === label && p.sources[source]);
  const last = pulls.at(-1);
  if (!last) return '0001-01-01';
  const clean = pulls.filter((p) => p.sources[source].refused === 0).at(-1);
  const back = parseDay(last.seen_on) - RETRY_REFUSED_DAYS;
  return formatDay(Math.max(clean ? parseDay(clean.seen_on) : back, back) - 1);
}

/** How long rows a pull refused are asked for again. */
const RETRY_REFUSED_DAYS = 7;
