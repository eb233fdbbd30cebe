import { createReadStream } from 'node:fs';
import { CsvParser, type RecordSink } from './csv-parser.js';
import { detectEncoding, type Encoding } from './encoding.js';

export type SourceFormat = 'csv' | 'jsonl';

export interface RecordStreamOptions {
  /** Forces an encoding; detected from the first bytes when absent. */
  encoding?: Encoding;
  /** Bytes read at a time: bounds memory whatever the file's size. Default 1 MiB. */
  chunkBytes?: number;
}

/**
 * Streams a file into `sink` record by record, with physical line numbers: CSV gives its header
 * as the first record; JSON Lines gives one one-field record (the raw JSON) per line. Returns the
 * encoding used (detected from the first bytes unless forced), or null for an empty file.
 */
export async function readRecords(
  path: string,
  format: SourceFormat,
  options: RecordStreamOptions & { onBytes?: (bytes: number) => void },
  sink: RecordSink,
): Promise<Encoding | null> {
  const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 1 << 20 });
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  let encoding: Encoding | null = null;
  const lines = format === 'csv' ? new CsvParser() : new JsonLinesSplitter();
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (!decoder) {
      encoding = options.encoding ?? detectEncoding(chunk);
      decoder = new TextDecoder(encoding);
    }
    lines.push(decoder.decode(chunk, { stream: true }), sink);
    options.onBytes?.(bytes);
  }
  if (decoder) lines.push(decoder.decode(), sink);
  lines.end(sink);
  return encoding;
}

/** Splits JSON Lines; each line becomes a one-field record holding the raw JSON. */
class JsonLinesSplitter {
  private buf = '';
  private line = 1;
  private readonly one: string[] = [''];

  push(text: string, out: RecordSink): void {
    this.buf += text;
    let start = 0;
    for (;;) {
      const nl = this.buf.indexOf('\n', start);
      if (nl < 0) break;
      this.emit(this.buf.slice(start, nl), out);
      start = nl + 1;
    }
    this.buf = this.buf.slice(start);
  }

  end(out: RecordSink): void {
    if (this.buf.length > 0) this.emit(this.buf, out);
    this.buf = '';
  }

  private emit(text: string, out: RecordSink): void {
    const line = this.line++;
    if (text.trim() === '') return;
    this.one[0] = text;
    out.record(line, this.one, 1);
  }
}

/** Turns one JSON Lines record into string fields in `columns` order, or an error. */
export function jsonRecordToFields(
  raw: string,
  columns: string[],
  seen: Set<string>,
): { fields: string[] } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    return { error: `not valid JSON (${(e as Error).message})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { error: 'a JSON Lines row must be an object' };
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const k = key.trim().toLowerCase();
    if (!seen.has(k)) {
      seen.add(k);
      if (!columns.includes(k)) columns.push(k);
    }
  }
  const byKey = new Map<string, unknown>();
  for (const [k, v] of Object.entries(obj)) byKey.set(k.trim().toLowerCase(), v);
  return { fields: columns.map((c) => jsonScalarToText(byKey.get(c))) };
}

function jsonScalarToText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
