import { readFile, writeFile } from 'node:fs/promises';

type Typed = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array;
const KINDS = { Float32Array, Float64Array, Int32Array, Uint8Array, Int8Array } as const;

/** A JSON header and named typed arrays in one file, read back without parsing the arrays. */
export async function writeBin(path: string, header: unknown, arrays: Record<string, Typed>): Promise<void> {
  const parts: Buffer[] = [];
  const index: { name: string; kind: string; offset: number; length: number }[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    index.push({ name, kind: a.constructor.name, offset, length: a.length });
    parts.push(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    offset += a.byteLength;
    const pad = (8 - (offset % 8)) % 8;
    if (pad) parts.push(Buffer.alloc(pad));
    offset += pad;
  }
  const json = Buffer.from(JSON.stringify({ header, index }));
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32LE(json.length, 0);
  const headPad = Buffer.alloc((8 - ((8 + json.length) % 8)) % 8);
  await writeFile(path, Buffer.concat([prefix, json, headPad, ...parts]));
}

export async function readBin<H>(path: string): Promise<{ header: H; arrays: Record<string, Typed> }> {
  const file = await readFile(path);
  const n = file.readUInt32LE(0);
  const { header, index } = JSON.parse(file.subarray(8, 8 + n).toString('utf8')) as {
    header: H;
    index: { name: string; kind: keyof typeof KINDS; offset: number; length: number }[];
  };
  const base = 8 + n + ((8 - ((8 + n) % 8)) % 8);
  const body = new Uint8Array(file.byteLength - base);
  body.set(file.subarray(base));
  const arrays: Record<string, Typed> = {};
  for (const e of index) arrays[e.name] = new KINDS[e.kind](body.buffer, e.offset, e.length);
  return { header, arrays };
}
