import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay } from '../../src/dates/index.js';
import { generateDistrict, Random } from '../../src/generate/index.js';
import { loadDistrict, type LoadOptions } from '../../src/sources/index.js';
import { tempDir } from '../helpers/folder.js';

/**
 * The byte path (lines read straight from UTF-8 bytes) must read every file exactly as the text
 * path does: the same tables, the same rejects with the same lines, columns and reasons. Checked on
 * the bad-input corpus and on a generated district where one line in five is damaged in one of
 * the ways schools' files are.
 */
const CORPUS = join(import.meta.dirname, '..', 'corpus', 'messy-school');
const TODAY = parseDay('2026-11-25');

async function bothWays(dir: string, extra: LoadOptions = {}) {
  const bytes = await loadDistrict(dir, { today: TODAY, ...extra });
  const text = await loadDistrict(dir, { today: TODAY, ...extra, bytePath: false });
  return { bytes, text };
}

function withoutByteCounts(files: Record<string, { rows_from_bytes: number }>) {
  return Object.fromEntries(Object.entries(files).map(([k, { rows_from_bytes: _, ...rest }]) => [k, rest]));
}

/** One damage a school's file can carry; applied to a data line (without its line end). */
const DAMAGES: ((line: string, r: Random) => string | Buffer)[] = [
  (l) => ` ${l}`,
  (l) => `${l} `,
  (l) => l.replace(/\d/, (d) => String.fromCharCode(0xff10 + Number(d))), // a full-width digit
  (l) => l.replace(/^([^,]*),/, '"$1",'), // a quoted first field
  (l) => l.replace(/,([^,]*)$/, ',"$1\nsecond line"'), // a quoted field holding a line break
  (l) => l.replace(/(\d{4})-0?(\d+)-0?(\d+)/, '$1/$2/$3'),
  (l) => l.replace(/\d{4}-\d\d-\d\d/, '45901'), // an Excel serial
  (l) => l.replace(/\d{4}-\d\d-\d\d/, '2030-01-01'), // the future
  (l) => l.replace(/\d{4}-\d\d-\d\d/, '2025-02-30'),
  (l) => l.replace(/\d{4}-\d\d-\d\d/, '2025-00-15'),
  (l) => l.replace(/\d{4}-\d\d-\d\d/, '2025-09-00'),
  // A real date, then an impossible one its digits could be mistaken for.
  (l) => `${l.replace(/\d{4}-\d\d-\d\d/, '2025-08-31')}\n${l.replace(/\d{4}-\d\d-\d\d/, '2025-09-00')}`,
  (l) => `${l.replace(/\d{4}-\d\d-\d\d/, '2024-12-15')}\n${l.replace(/\d{4}-\d\d-\d\d/, '2025-00-15')}`,
  (l) => l.replace(/\d{4}-\d\d-\d\d/, '2025-13-01'),
  (l) => l.replace(/\d{4}-\d\d-\d\d/, '1899-12-31'),
  (l) => l.replace(/present|absent_\w+|late|quiz|monthly/, (w) => w.toUpperCase()),
  (l) => l.replace(/,(\d+(\.\d+)?)(,|$)/, (_, n, _f, end) => `,${['+', '', '0', ''][n.length % 4]}${n}${['e0', '.', '', '.000'][n.length % 4]}${end}`),
  (l) => l.replace(/,(\d+(\.\d+)?)(,|$)/, ',1e400$3'),
  (l) => l.replace(/,(\d+(\.\d+)?)(,|$)/, ',12345678901234567890$3'),
  (l) => l.replace(/,(\d+(\.\d+)?)(,|$)/, ',0.1000000000000000055511151231257827$3'),
  (l) => l.replace(/,(\d+(\.\d+)?)(,|$)/, ',-7$3'),
  (l) => `${l},`,
  (l) => l.replace(',', ''),
  (l) => l.replace(/,[^,]*/, ','),
  (l) => l.replace(',', '\r'), // an old Mac line end inside
  (l) => `${l}\r`, // CRLF
  (l) => `\uFEFF${l}`,
  (l) => l.replace(/^[^,]*/, 'nobody'),
  () => '',
  () => '   ',
  (l) => `${l}\n${l}`, // repeated
  (l) => l.replace(/,/, '\t,'),
  (l) => l.replace(/^([^,]*)/, '$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1'), // a long id
];

/** Not UTF-8: in the first chunk read it makes the whole file GB18030, so it is added only where asked. */
const notUtf8 = (l: string) => Buffer.concat([Buffer.from(l.slice(0, 3)), Buffer.from([0xff]), Buffer.from(l.slice(3))]);

async function damage(path: string, seed: number, badBytes = false): Promise<number> {
  const r = new Random(seed);
  const lines = (await readFile(path, 'utf8')).split('\n');
  const out: Buffer[] = [Buffer.from(lines[0] + '\n')];
  let damaged = 0;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if (r.chance(0.2)) {
      const k = r.int(0, DAMAGES.length - (badBytes ? 0 : 1));
      out.push(Buffer.from(k === DAMAGES.length ? notUtf8(line) : DAMAGES[k](line, r)), Buffer.from('\n'));
      damaged++;
    } else {
      out.push(Buffer.from(line + '\n'));
    }
  }
  await writeFile(path, Buffer.concat(out));
  return damaged;
}

describe('reading lines straight from their bytes', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await generateDistrict({ out: dir, students: 300, weeks: 4, seed: 11, quizzes: true });
    for (const [k, file] of ['attendance.csv', 'grades.csv', 'meal_card.csv', 'wellbeing.csv', 'subsidies.csv'].entries()) {
      expect(await damage(join(dir, file), 100 + k, file === 'meal_card.csv')).toBeGreaterThan(5);
    }
  });
  afterAll(() => cleanup());

  it('should read the bad-input corpus exactly as the text path does', async () => {
    const { bytes, text } = await bothWays(CORPUS);
    expect(bytes.district).toEqual(text.district);
    expect(bytes.report.rejects).toEqual(text.report.rejects);
    expect(withoutByteCounts(bytes.report.files)).toEqual(withoutByteCounts(text.report.files));
    expect(bytes.report.files['attendance.csv'].rows_from_bytes).toBeGreaterThan(0);
  });

  it('should read a district with one line in five damaged exactly as the text path does', async () => {
    const { bytes, text } = await bothWays(dir);
    expect(bytes.report.rejects.length).toBeGreaterThan(500);
    expect(bytes.report.rejects).toEqual(text.report.rejects);
    expect(bytes.district).toEqual(text.district);
    expect(withoutByteCounts(bytes.report.files)).toEqual(withoutByteCounts(text.report.files));
    const att = bytes.report.files['attendance.csv'];
    // Most lines are whole and take the byte path; the text path takes none.
    expect(att.rows_from_bytes).toBeGreaterThan(0.7 * att.rows_read);
    expect(text.report.files['attendance.csv'].rows_from_bytes).toBe(0);
  });

  it('should agree when lines straddle small chunks, and on bytes that are not UTF-8 after the first chunk', async () => {
    // The encoding is judged on the first chunk: small chunks keep meal_card.csv UTF-8 despite its bad bytes.
    const { bytes, text } = await bothWays(dir, { chunkBytes: 977 });
    expect(bytes.report.rejects).toEqual(text.report.rejects);
    expect(bytes.district).toEqual(text.district);
    expect(bytes.report.files['meal_card.csv'].encoding).toBe('utf-8');
    expect(bytes.report.rejects.some((r) => r.file === 'meal_card.csv' && /not text/.test(r.reason))).toBe(true);
    expect(bytes.report.files['meal_card.csv'].rows_from_bytes).toBeGreaterThan(0);
  });

  it('should read on after a line longer than a chunk, numbering the lines after it right', async () => {
    const t = await tempDir();
    try {
      for (const f of ['students.csv', 'grades.csv', 'family_events.csv', 'subsidies.csv']) {
        await writeFile(join(t.dir, f), await readFile(join(dir, f)));
      }
      const ids = (await readFile(join(dir, 'students.csv'), 'utf8')).split('\n').slice(1, 4).map((l) => l.split(',')[0]);
      const huge = 'x'.repeat(1_500_000);
      await writeFile(
        join(t.dir, 'attendance.csv'),
        `student_id,date,status\n${ids[0]},2025-09-01,present\n${ids[1]},2025-09-01,${huge}\n${ids[2]},2025-09-01,late\n${ids[2]},2025-09-02,present\n`,
      );
      const { bytes, text } = await bothWays(t.dir);
      expect(bytes.report.rejects).toEqual(text.report.rejects);
      expect(bytes.report.rejects.filter((r) => r.file === 'attendance.csv').map((r) => [r.line, r.column])).toEqual([[3, 'status']]);
      expect(bytes.district.attendance).toEqual(text.district.attendance);
      expect(Array.from(bytes.district.attendance.line)).toEqual([2, 4, 5]);
    } finally {
      await t.cleanup();
    }
  });
});
