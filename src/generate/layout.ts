import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
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
