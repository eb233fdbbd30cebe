/**
 * 32-bit hashes of text (FNV-1a over UTF-16 units, then murmur3's finaliser so that close
 * strings land far apart). Two seeds give a 64-bit key: at 100 million rows a collision is about
 * a 1 in 3,700 chance over the whole history, and would only make one row look unchanged.
 */
export function hash32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** murmur3's finaliser: every input bit moves every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export const KEY_SEED_HI = 0x811c9dc5;
export const KEY_SEED_LO = 0x2545f491;
export const CONTENT_SEED = 0x9e3779b9;
