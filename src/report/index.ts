import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDay, todayInChina, type Day } from '../dates/index.js';
import { prepare } from '../features/prepare.js';
import { log } from '../observability/index.js';
import { loadDistrict, type Reject } from '../sources/index.js';
import { loadFile } from '../sources/read/load-file.js';
import { schools as schoolsSpec } from '../sources/spec/schools.js';
import { openDb } from '../store/index.js';
import { monthlyReport, type ReportRow, type SchoolPlace } from './monthly-report.js';
import { caseCounts, recordReport, writeReport } from './write-report.js';

export {
  monthlyReport,
  monthStart,
  schoolYearStart,
  SUSPECT_DAYS,
  TRANSFER_CONFIRM_DAYS,
  unconfirmedTransfers,
  type CaseCounts,
  type ReportRow,
  type SchoolPlace,
} from './monthly-report.js';
export { caseCounts, recordReport, REPORT_COLUMNS, writeReport } from './write-report.js';

/** schools.csv beside the data, if there is one: each school's name, township and county. */
export async function schoolPlaces(data: string, today: Day): Promise<{ places: Map<string, SchoolPlace>; rejects: Reject[] }> {
  const places = new Map<string, SchoolPlace>();
  const rejects: Reject[] = [];
  const file = join(data, 'schools.csv');
  if (!existsSync(file)) return { places, rejects };
  const { table } = await loadFile(file, 'schools.csv', schoolsSpec, 'csv', { today }, rejects);
  const ids = table.strings('school_id');
  const names = table.strings('school_name');
  const township = table.codes('township');
  const county = table.codes('county');
  for (let i = 0; i < table.length; i++)
    places.set(ids[i], {
      name: names[i],
      township: township.data[i] >= 0 ? township.dict[township.data[i]] : '',
      county: county.data[i] >= 0 ? county.dict[county.data[i]] : '',
    });
  return { places, rejects };
}

/**
 * `ews report`: the monthly 控辍保学 report as of D, from a data folder (or a kept history), with the
 * cases' figures from the system of record unless `database` is null.
 */
export async function reportCommand(o: { data: string; asOf: Day; out: string; database?: string | null }): Promise<{
  as_of: string;
  schools: number;
  townships: number;
  rows: ReportRow[];
  files: { xlsx: string; csv: string };
  cases: 'recorded' | 'none';
}> {
  // Rows dated after D are real (the report may be made later): only rows after today are impossible.
  const today = Math.max(o.asOf, todayInChina());
  const { district } = await loadDistrict(o.data, { today });
  const { places, rejects } = await schoolPlaces(o.data, today);
  if (rejects.length) log.warn({ file: 'schools.csv', rejected: rejects.length }, 'schools.csv rows refused; those schools are reported without a township');
  // The cases' figures are read from the system of record, and the report kept there for the oversight pages.
  const db = o.database === null ? null : await openDb({ url: o.database });
  let rows: ReportRow[];
  let cases = null;
  try {
    cases = db ? await caseCounts(db, formatDay(o.asOf)) : null;
    rows = monthlyReport(prepare(district), o.asOf, places, cases);
    if (db) await recordReport(db, formatDay(o.asOf), rows);
  } finally {
    await db?.close();
  }
  await mkdir(o.out, { recursive: true });
  const files = await writeReport(o.out, rows, formatDay(o.asOf));
  return {
    as_of: formatDay(o.asOf),
    schools: rows.filter((r) => r.level === 'school').length,
    townships: rows.filter((r) => r.level === 'township').length,
    rows,
    files,
    cases: cases ? 'recorded' : 'none',
  };
}
