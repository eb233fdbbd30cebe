import { describe, expect, it } from 'vitest';
import { CsvParser } from '../../src/sources/index.js';

function parse(text: string, chunk = text.length, maxFieldChars?: number) {
  const p = new CsvParser({ maxFieldChars });
  const out: ReturnType<typeof Object>[] = [];
  for (let i = 0; i < text.length; i += chunk) p.push(text.slice(i, i + chunk), out as never);
  p.end(out as never);
  return out as ({ line: number; fields: string[] } | { line: number; error: string })[];
}

describe('CsvParser', () => {
  it('gives each record the physical line it starts on, skipping blank lines', () => {
    const recs = parse('a,b\n1,2\n\n3,4\r\n\r\n5,6');
    expect(recs).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 4, fields: ['3', '4'] },
      { line: 6, fields: ['5', '6'] },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, and counts those lines', () => {
    const recs = parse('a,b\n"x, y","say ""hi"""\n"two\nlines",z\nlast,1\n');
    expect(recs[1]).toEqual({ line: 2, fields: ['x, y', 'say "hi"'] });
    expect(recs[2]).toEqual({ line: 3, fields: ['two\nlines', 'z'] });
    expect(recs[3]).toEqual({ line: 5, fields: ['last', '1'] });
  });

  it('gives the same records whatever the chunk size', () => {
    const text = 'a,b,c\n"q\n""x""",2,3\r\n4,"5",6\n7,8,9';
    const whole = parse(text);
    for (const chunk of [1, 2, 3, 5, 7]) expect(parse(text, chunk)).toEqual(whole);
  });

  it('reports a quote never closed at its line and reads the lines after it again', () => {
    const recs = parse('a,b\n1,"broken\n2,ok\n3,ok\n');
    expect(recs[1]).toMatchObject({ line: 2, error: expect.stringMatching(/never closed/) });
    expect(recs.slice(2)).toEqual([
      { line: 3, fields: ['2', 'ok'] },
      { line: 4, fields: ['3', 'ok'] },
    ]);
  });

  it('refuses a field longer than the limit without losing the next line', () => {
    const recs = parse(`a,b\n1,${'x'.repeat(500)}\n2,ok\n`, 64, 100);
    expect(recs[1]).toMatchObject({ line: 2, error: expect.stringMatching(/longer than 100/) });
    expect(recs[2]).toEqual({ line: 3, fields: ['2', 'ok'] });
  });

  it('reads old Mac line ends (a lone CR) as line ends, on the fast path and off it', () => {
    expect(parse('a,b\r1,2\r3,4\n5,6\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['3', '4'] },
      { line: 4, fields: ['5', '6'] },
    ]);
  });

  it('gives the same records on the quote-free fast path as the general parser', () => {
    const plain = 'a,b,c\n1,,3\n,,\n4,5,6\r\n7,8,9\n';
    const quoted = plain.replace('4,5,6', '"4",5,6');
    expect(parse(plain).map((r) => ('fields' in r ? r.fields.join('|') : r.error))).toEqual(
      parse(quoted).map((r) => ('fields' in r ? r.fields.join('|') : r.error)),
    );
  });

  it('keeps a file whose last line has no line break', () => {
    expect(parse('a\n1')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: ['1'] },
    ]);
  });
});
