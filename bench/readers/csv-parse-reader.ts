import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { detectEncoding, type Encoding, type RecordReader, type RecordSink } from '../../src/sources/index.js';

/**
 * The same records as ews's own reader, read by csv-parse (the well-kept library), for the
 * benchmark that compares the two. Set up as leniently as it goes: ragged rows, stray quotes
 * and broken records are passed on or reported instead of stopping the file.
 */
export const csvParseRecords: RecordReader = async (path, format, options, sink: RecordSink) => {
  if (format !== 'csv') throw new Error('csv-parse reads CSV only');
  let encoding: Encoding | null = null;
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  const decode = new Transform({
    decodeStrings: true,
    transform(chunk: Buffer, _enc, done) {
      if (!decoder) {
        encoding = options.encoding ?? detectEncoding(chunk);
        decoder = new TextDecoder(encoding);
      }
      done(null, decoder.decode(chunk, { stream: true }));
    },
    flush(done) {
      done(null, decoder ? decoder.decode() : '');
    },
  });
  const parser = parse({
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: 1 << 20,
    info: true,
    on_skip: (err) => {
      sink.broken((err as { lines?: number } | undefined)?.lines ?? 0, err?.message ?? 'unreadable');
      return undefined;
    },
  });
  parser.on('data', (item: { record: string[]; info: { lines: number } }) => {
    // info.lines is the line the record ends on; a quoted line break moves its start up.
    let breaks = 0;
    for (const f of item.record) for (let i = f.indexOf('\n'); i >= 0; i = f.indexOf('\n', i + 1)) breaks++;
    sink.record(item.info.lines - breaks, item.record, item.record.length);
  });
  // Events, not `for await`: the library's fastest way to be read, so the comparison is fair to it.
  await pipeline(createReadStream(path, { highWaterMark: options.chunkBytes ?? 1 << 20 }), decode, parser);
  return encoding;
};
