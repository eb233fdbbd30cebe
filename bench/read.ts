/**
 * Reading a district three ways, the same files into the same tables:
 * `npm run bench -- --only read --sizes 100000,1000000 --repeats 3`.
 * - csv-parse: the well-kept library, leniently set up, then ews's cell parsing;
 * - ews text: ews's own streaming parser over decoded text;
 * - ews bytes: ews's byte path (lines read from their bytes; anything unusual falls back to text).
 * Each is also run on the bad-input corpus and compared with the text path, which the corpus
 * test pins down: a reader is only worth its speed if it refuses and keeps the same rows.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseDay } from '../src/dates/index.js';
import { loadDistrict, type LoadOptions } from '../src/sources/index.js';
import { arg, district, table, timed } from './harness.js';
import { csvParseRecords } from './readers/csv-parse-reader.js';

const sizes = arg('sizes', '10000,100000').split(',').map(Number);
const repeats = Number(arg('repeats', '3'));
const today = parseDay('2025-10-27');
const READERS: [string, LoadOptions][] = [
  ['csv-parse', { reader: csvParseRecords }],
  ['ews text', { bytePath: false }],
  ['ews bytes', {}],
];

const corpus = join(import.meta.dirname, '..', 'tests', 'corpus', 'messy-school');
const expected = await loadDistrict(corpus, { today: parseDay('2026-11-25'), bytePath: false });
const agrees: Record<string, string> = {};
for (const [name, options] of READERS) {
  const got = await loadDistrict(corpus, { today: parseDay('2026-11-25'), ...options }).catch((e: Error) => e);
  if (got instanceof Error) {
    agrees[name] = `no: ${got.message}`;
    continue;
  }
  const key = (r: { file: string; line: number; column: string }) => `${r.file}:${r.line}:${r.column}`;
  const want = new Set(expected.report.rejects.map(key));
  const have = new Set(got.report.rejects.map(key));
  const missing = [...want].filter((k) => !have.has(k));
  const extra = [...have].filter((k) => !want.has(k));
  const sameRows = ['students', 'attendance', 'grades', 'subsidies', 'familyEvents'].every((t) =>
    isDeepStrictEqual((got.district as never)[t], (expected.district as never)[t]),
  );
  const reworded = got.report.rejects.filter((r, i) => r.reason !== expected.report.rejects[i]?.reason).length;
  agrees[name] =
    missing.length === 0 && extra.length === 0 && sameRows
      ? `yes: the same rows kept, the same rejects (file, line, column)${reworded ? `; ${reworded} reason worded differently` : ''}`
      : `no: ${missing.length} rejects missed (${missing.join(' ')}), ${extra.length} extra (${extra.join(' ')})${sameRows ? '' : ', rows differ'}`;
}

const rows: Record<string, string | number>[] = [];
for (const n of sizes) {
  const data = await district(n, 8);
  for (const [name, options] of READERS) {
    let rowsRead = 0;
    const t = await timed(repeats, async () => {
      const { report } = await loadDistrict(data, { today, ...options });
      rowsRead = Object.values(report.files).reduce((a, f) => a + f.rows_read, 0);
    });
    rows.push({
      students: n,
      reader: name,
      rows: rowsRead,
      read_s: (t.ms / 1000).toFixed(2),
      rows_per_s: `${(rowsRead / (t.ms / 1000) / 1e6).toFixed(2)}M`,
      runs_s: t.all.map((x) => (x / 1000).toFixed(2)).join(' '),
      same_on_corpus: agrees[name].startsWith('yes') ? 'yes' : 'no',
    });
    process.stderr.write(`${JSON.stringify(rows.at(-1))}\n`);
  }
}
console.log(`reading a whole district (8 weeks), median of ${repeats}`);
console.log(table(rows));
for (const [name, verdict] of Object.entries(agrees)) console.log(`${name} on the bad-input corpus: ${verdict}`);
await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
await writeFile(join(import.meta.dirname, 'results', `read-${Date.now()}.json`), JSON.stringify({ repeats, rows, corpus: agrees }, null, 2));
