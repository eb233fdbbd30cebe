import { isUtf8 } from 'node:buffer';

/**
 * Which text encoding a school's file is in. Excel on a Chinese Windows machine writes GBK
 * (read as its superset GB18030); everything else sends UTF-8, with or without a BOM.
 * Bytes that are valid UTF-8 are almost never meaningful GBK, so the test is: is it UTF-8?
 */
export type Encoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

export const ENCODING_ALIASES: Record<string, Encoding> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  gbk: 'gb18030',
  gb2312: 'gb18030',
  gb18030: 'gb18030',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
};

export function detectEncoding(head: Uint8Array): Encoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  // Checked without decoding: a folder of a file per school is its files' whole size in first chunks.
  return isUtf8(trimPartialUtf8(head)) ? 'utf-8' : 'gb18030';
}

// The sample may end inside a multi-byte character; drop that tail before judging.
function trimPartialUtf8(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  for (let k = 1; k <= 3 && end - k >= 0; k++) {
    const b = bytes[end - k];
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (need > k) end -= k;
    break;
  }
  return bytes.subarray(0, end);
}
