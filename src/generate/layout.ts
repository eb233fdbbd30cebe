import { appendFileSync, copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
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
 * Lines appended to many files — a file per school, a file per week — held per file and written in
 * batches: thousands of files open at once would be too many. A file's first line is its header.
 */
class BatchedFiles {
  private pending = new Map<string, string[]>();
  private started = new Set<string>();
  private held = 0;

  constructor(
    private readonly root: string,
    private readonly eol: string,
  ) {}

  add(path: string, header: string, line: string): void {
    let lines = this.pending.get(path);
    if (!lines) this.pending.set(path, (lines = []));
    if (!this.started.has(path)) {
      this.started.add(path);
      lines.push(header + this.eol);
    }
    lines.push(line + this.eol);
    this.held += line.length;
    if (this.held > 64 << 20) this.flush();
  }

  flush(): void {
    for (const [path, lines] of this.pending) appendFileSync(join(this.root, path), lines.join(''));
    this.pending.clear();
    this.held = 0;
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
    const files = new BatchedFiles(folder, eol);
    await eachLine(join(dir, `${name}.csv`), (header, headerLine) => {
      const schoolAt = header.indexOf('school_id');
      const studentAt = header.indexOf('student_id');
      return (cells, line) => files.add(`${schoolAt >= 0 ? cells[schoolAt] : (schoolOf.get(cells[studentAt]) ?? 'unknown')}.csv`, headerLine, line);
    });
    files.flush();
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

/** The column that dates each source's rows, for weekly exports; the roll and staff have none. */
const WEEK_COLUMN: Record<string, string> = {
  attendance: 'date',
  grades: 'date',
  family_events: 'date',
  subsidies: 'effective_from',
  wellbeing: 'date',
  meal_card: 'date',
  outcomes: 'date',
};

/**
 * Writes a district as the weekly exports a district receives: `out/<Sunday>/` holds the rows dated
 * in the week ending that Sunday, with the whole roll and staff list re-exported each week. Pulled
 * in order, they make the history the whole folder is. A source with no rows in a week is exported
 * as its header alone, as systems export an empty table. Rows dated before `first` (a Sunday: the
 * first export) go in it, as the records a district holds when it starts. For the generator's files, which quote nothing.
 */
export async function splitByWeek(dir: string, out: string, first: string, crlf = false): Promise<string[]> {
  const eol = crlf ? '\r\n' : '\n';
  const weeks = new Set<string>();
  const files = new BatchedFiles(out, eol);
  const sundayOf = (iso: string) => {
    const d = new Date(`${iso.replace(/\//g, '-')}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + ((7 - d.getUTCDay()) % 7));
    const sunday = d.toISOString().slice(0, 10);
    return sunday < first ? first : sunday;
  };
  for (const [name, column] of Object.entries(WEEK_COLUMN)) {
    const file = join(dir, `${name}.csv`);
    if (!existsSync(file)) continue;
    await eachLine(file, (header, headerLine) => {
      const at = header.indexOf(column);
      return (cells, line) => {
        const week = sundayOf(cells[at]);
        const path = `${week}/${name}.csv`;
        if (!weeks.has(week)) {
          weeks.add(week);
          mkdirSync(join(out, week), { recursive: true });
        }
        files.add(path, headerLine, line);
      };
    });
    files.flush();
  }
  const sorted = [...weeks].sort();
  const headers = new Map<string, string>();
  for (const name of Object.keys(WEEK_COLUMN)) {
    const file = join(dir, `${name}.csv`);
    if (existsSync(file)) await eachLine(file, (_, headerLine) => (headers.set(name, headerLine), () => {}));
  }
  for (const week of sorted) {
    for (const [name, header] of headers) if (!existsSync(join(out, week, `${name}.csv`))) writeFileSync(join(out, week, `${name}.csv`), header + eol);
    for (const name of ['students', 'staff']) if (existsSync(join(dir, `${name}.csv`))) copyFileSync(join(dir, `${name}.csv`), join(out, week, `${name}.csv`));
  }
  return sorted;
}
