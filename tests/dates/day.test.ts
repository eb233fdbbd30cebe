import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asOfSeries, formatDay, horizon, inWindow, isoWeekday, lookback, parseDay } from '../../src/dates/index.js';
import { WindowError } from '../../src/errors/index.js';

describe('days', () => {
  it('round-trips every day between 1950 and 2100 through its ISO text', () => {
    fc.assert(fc.property(fc.integer({ min: -7300, max: 47_500 }), (day) => parseDay(formatDay(day)) === day));
  });

  it('agrees with the JavaScript Date on the day number', () => {
    expect(parseDay('2025-09-01')).toBe(Date.UTC(2025, 8, 1) / 86_400_000);
    expect(parseDay('2025/9/1')).toBe(parseDay('2025-09-01'));
  });

  it('refuses days that do not exist and text that is not a date', () => {
    for (const bad of ['2026-02-29', '2025-13-01', '2025-04-31', '45900', '2025-9', '25-09-01', '2025.09.01', '2025-09-01T00:00']) {
      expect(parseDay(bad), bad).toBeNaN();
    }
    expect(parseDay('2024-02-29')).not.toBeNaN();
  });

  it('knows 2025-09-01 was a Monday', () => {
    expect(isoWeekday(parseDay('2025-09-01'))).toBe(1);
    expect(isoWeekday(parseDay('2025-09-07'))).toBe(7);
  });
});

describe('windows', () => {
  it('includes the as-of day in a lookback and excludes it from a horizon', () => {
    const d = parseDay('2026-03-02');
    expect(inWindow(lookback(d, 14), d)).toBe(true);
    expect(inWindow(lookback(d, 14), d - 14)).toBe(false);
    expect(inWindow(horizon(d, 56), d)).toBe(false);
    expect(inWindow(horizon(d, 56), d + 56)).toBe(true);
  });

  it('refuses an impossible window when it is built', () => {
    expect(() => lookback(0, 0)).toThrow(WindowError);
    expect(() => horizon(0, -7)).toThrow(WindowError);
    expect(() => horizon(0, 1.5)).toThrow(WindowError);
    expect(() => asOfSeries(10, 3)).toThrow(/before it starts/);
  });

  it('steps a series of as-of dates weekly', () => {
    expect(asOfSeries(0, 21)).toEqual([0, 7, 14, 21]);
  });
});
