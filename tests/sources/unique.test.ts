import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repeatedByBitset, repeatedBySort } from '../../src/sources/read/unique.js';

describe('finding repeated keys in rows in any order', () => {
  it('should find by bitset exactly the keys a sort finds, at the edges of its words too', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.array(fc.nat(), { maxLength: 400 }), (span, raw) => {
        const keys = Float64Array.from(raw, (k) => k % span);
        expect([...repeatedByBitset(keys, span)].sort((a, b) => a - b)).toEqual([...repeatedBySort(keys)].sort((a, b) => a - b));
      }),
    );
    // Bits 0, 31 and 32 of a word, and a key repeated three times, counted once.
    expect([...repeatedByBitset(Float64Array.of(31, 0, 32, 31, 32, 32, 5), 40)].sort((a, b) => a - b)).toEqual([31, 32]);
  });
});
