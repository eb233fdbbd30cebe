import { readFile, writeFile } from 'node:fs/promises';
import { Random } from '../../src/generate/index.js';

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

/** Damages about one data line in five of a file, each in one of the ways above; returns how many. */
export async function damage(path: string, seed: number, badBytes = false): Promise<number> {
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
