import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CsvParser, type RecordSink } from './csv-parser.js';
import { detectEncoding, type Encoding } from './encoding.js';

export type SourceFormat = 'csv' | 'jsonl';

export interface RecordStreamOptions {
  /** Forces an encoding; detected from the first bytes when absent. */
  encoding?: Encoding;
  /** Bytes read at a time: bounds memory whatever the file's size. Default 1 MiB. */
  chunkBytes?: number;
  /** The file's size where the caller knows it: a file within one chunk is read whole. */
  size?: number;
}

export type RecordReader = (
  path: string,
  format: SourceFormat,
  options: RecordStreamOptions & { onBytes?: (bytes: number) => void },
  sink: RecordSink,
) => Promise<Encoding | null>;

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
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  // A file that fits in one chunk is read in one call: a stream's opening and closing cost more than
  // its bytes when a source is a folder of a file per school.
  const stream = options.size !== undefined && options.size <= chunkBytes ? [await readFile(path)] : createReadStream(path, { highWaterMark: chunkBytes });
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  let encoding: Encoding | null = null;
  const lines = format === 'csv' ? new CsvParser() : new JsonLinesSplitter();
  let byLine: ByteLines | undefined;
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (!decoder) {
      encoding = options.encoding ?? detectEncoding(chunk);
      decoder = new TextDecoder(encoding);
      if (format === 'csv' && encoding === 'utf-8' && sink.bytes) byLine = new ByteLines(lines as CsvParser, decoder);
    }
    if (byLine) byLine.push(chunk, sink);
    else lines.push(decoder.decode(chunk, { stream: true }), sink);
    options.onBytes?.(bytes);
  }
  if (byLine) byLine.end(sink);
  else if (decoder) lines.push(decoder.decode(), sink);
  lines.end(sink);
  return encoding;
}

const LF = 10;
const CR = 13;

/**
 * Splits UTF-8 bytes into lines and offers each to the sink's byte reader, so the usual line
 * never becomes text. A line it declines, and every line of a quoted record spanning several,
 * goes through the text parser, which numbers lines the same way; a line longer than a chunk
 * sends the rest of the file down the text path, so memory stays bounded.
 */
class ByteLines {
  private carry: Buffer | null = null;
  private line = 1;
  private textOnly = false;

  constructor(
    private readonly text: CsvParser,
    private readonly decoder: InstanceType<typeof TextDecoder>,
  ) {}

  push(chunk: Buffer, sink: RecordSink): void {
    let buf = chunk;
    if (this.carry) {
      if (this.textOnly) {
        buf = Buffer.concat([this.carry, chunk]);
      } else {
        // Only the line cut by the chunk's edge is joined, not the whole chunk copied.
        const nl = chunk.indexOf(LF);
        if (nl < 0) {
          buf = Buffer.concat([this.carry, chunk]);
        } else {
          const line = Buffer.concat([this.carry, chunk.subarray(0, nl + 1)]);
          this.take(line, 0, line.length, line.length - 1, sink);
          buf = chunk.subarray(nl + 1);
        }
      }
      this.carry = null;
    }
    if (this.textOnly) {
      this.text.push(this.decoder.decode(buf, { stream: true }), sink);
      return;
    }
    let pos = 0;
    for (;;) {
      const nl = buf.indexOf(LF, pos);
      if (nl < 0) break;
      this.take(buf, pos, nl + 1, nl, sink);
      pos = nl + 1;
    }
    if (pos === buf.length) return;
    if (buf.length - pos > 1 << 20) {
      this.textOnly = true;
      if (this.text.idle) this.text.skipTo(this.line);
      this.text.push(this.decoder.decode(buf.subarray(pos), { stream: true }), sink);
      return;
    }
    this.carry = Buffer.from(buf.subarray(pos)); // a copy: the chunk is not ours to keep
  }

  end(sink: RecordSink): void {
    if (this.carry) this.take(this.carry, 0, this.carry.length, this.carry.length, sink);
    this.carry = null;
    this.text.push(this.decoder.decode(), sink);
  }

  /** One physical line: bytes [start, next), `eol` where its line end begins. */
  private take(buf: Buffer, start: number, next: number, eol: number, sink: RecordSink): void {
    if (this.text.idle) {
      const end = eol > start && buf[eol - 1] === CR ? eol - 1 : eol;
      if (sink.bytes!(this.line, buf, start, end)) {
        this.line++;
        return;
      }
      this.text.skipTo(this.line);
    }
    this.text.push(this.decoder.decode(buf.subarray(start, next), { stream: true }), sink);
    this.line = this.text.nextLine;
  }
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
export function jsonRecordToFields(raw: string, columns: string[], seen: Set<string>): { fields: string[] } | { error: string } {
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
