import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countAtMost } from '../../src/util/sorted.js';

describe('countAtMost', () => {
  it('should count the values at most v in an ascending array, ties and ends included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 })), fc.integer({ min: -7, max: 7 }), (values, v) => {
        const sorted = [...values].sort((a, b) => a - b);
        expect(countAtMost(sorted, v)).toBe(sorted.filter((x) => x <= v).length);
      }),
    );
  });
});
