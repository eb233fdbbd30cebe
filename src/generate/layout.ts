import { appendFileSync, createReadStream, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { mkdtemp, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';

/**
 * How schools' systems lay a file out, as against the generator's student-by-student order:
 * attendance and canteen systems export day by day, and Windows tools end lines with CRLF.
 */
export interface FileLayout {
  /** Rows sorted by the date in column `dateColumn` (stable: same day keeps its order). */
  byDate?: boolean;
  dateColumn?: number;
  crlf?: boolean;
}

/**
 * Rewrites a CSV file in place in the layout asked for. Rows are bucketed by day into temporary
 * files and joined in day order, so memory stays flat whatever the file's size.
 */
export async function relayFile(file: string, layout: FileLayout): Promise<void> {
  if (!layout.byDate && !layout.crlf) return;
  const eol = layout.crlf ? '\r\n' : '\n';
  const tmp = await mkdtemp(join(dirname(file), '.relay-'));
  try {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
    const buckets = new Map<string, { out: WriteStream; path: string }>();
    const bucket = (key: string) => {
      let b = buckets.get(key);
      if (!b) {
        const path = join(tmp, `${buckets.size}.part`);
        buckets.set(key, (b = { out: createWriteStream(path), path }));
      }
      return b.out;
    };
    let header: string | null = null;
    for await (const line of lines) {
      if (header === null) {
        header = line;
        continue;
      }
      if (line === '') continue;
      const key = layout.byDate ? (line.split(',')[layout.dateColumn ?? 1] ?? '') : '';
      if (!bucket(key).write(line + eol)) await new Promise<void>((r) => bucket(key).once('drain', () => r()));
    }
    await Promise.all([...buckets.values()].map((b) => (b.out.end(), finished(b.out))));
    const target = join(tmp, 'whole.csv');
    const out = createWriteStream(target);
    out.write((header ?? '') + eol);
    // ISO dates sort as text; the empty key (no date) goes first.
    for (const key of [...buckets.keys()].sort()) {
      for await (const chunk of createReadStream(buckets.get(key)!.path)) if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    out.end();
    await finished(out);
    await rename(target, file);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Splits each named file into a folder of one file per school (`attendance/<school>.csv`), as a
 * district receives what each school's system exports; rows keep their order. A row's school is
 * its `school_id` column where it has one, else its student's school (from students.csv).
 */
export async function splitBySchool(dir: string, names: readonly string[], crlf = false): Promise<void> {
  const eol = crlf ? '\r\n' : '\n';
  const schoolOf = new Map<string, string>();
  await eachLine(join(dir, 'students.csv'), (header) => {
    const [id, school] = ['student_id', 'school_id'].map((c) => header.indexOf(c));
    return (cells) => void schoolOf.set(cells[id], cells[school]);
  });
  for (const name of names) {
    const folder = join(dir, name);
    await rm(folder, { recursive: true, force: true });
    mkdirSync(folder);
    // Lines are held per school and appended in batches: a file per school open at once would be thousands.
    const pending = new Map<string, string[]>();
    let held = 0;
    const flush = () => {
      for (const [school, lines] of pending) appendFileSync(join(folder, `${school}.csv`), lines.join(''));
      pending.clear();
      held = 0;
    };
    await eachLine(join(dir, `${name}.csv`), (header, headerLine) => {
      const schoolAt = header.indexOf('school_id');
      const studentAt = header.indexOf('student_id');
      const started = new Set<string>();
      return (cells, line) => {
        const school = schoolAt >= 0 ? cells[schoolAt] : (schoolOf.get(cells[studentAt]) ?? 'unknown');
        let lines = pending.get(school);
        if (!lines) pending.set(school, (lines = []));
        if (!started.has(school)) {
          started.add(school);
          lines.push(headerLine + eol);
        }
        lines.push(line + eol);
        held += line.length;
        if (held > 64 << 20) flush();
      };
    });
    flush();
    await unlink(join(dir, `${name}.csv`));
  }
}

/** Calls `start` with the header's cells and line, then the row function it returns for each row. */
async function eachLine(file: string, start: (header: string[], line: string) => (cells: string[], line: string) => void): Promise<void> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let onRow: ((cells: string[], line: string) => void) | null = null;
  for await (const line of lines) {
    if (onRow === null) onRow = start(line.split(','), line);
    else if (line !== '') onRow(line.split(','), line);
  }
}
