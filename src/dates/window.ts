import { WindowError } from '../errors/index.js';
import { formatDay, parseDay, type Day } from './day.js';

/**
 * A half-open run of days `(after, through]`. Lookbacks end on the as-of date and include it;
 * horizons start the day after it. Both are built here and nowhere else, so an impossible
 * window is refused once, when it is made.
 */
export interface DayWindow {
  readonly after: Day;
  readonly through: Day;
}

function checkLength(what: string, days: number): void {
  if (!Number.isInteger(days) || days <= 0) {
    throw new WindowError(`${what} must be a whole number of days above 0, got ${days}`);
  }
}

/** The `days` days ending on and including `asOf`: the rows a feature may look at. */
export function lookback(asOf: Day, days: number): DayWindow {
  checkLength('a lookback', days);
  return { after: asOf - days, through: asOf };
}

/** The `days` days after `asOf`: where the label for an as-of date is read. */
export function horizon(asOf: Day, days: number): DayWindow {
  checkLength('a horizon', days);
  return { after: asOf, through: asOf + days };
}

export function inWindow(window: DayWindow, day: Day): boolean {
  return day > window.after && day <= window.through;
}

/** As-of dates every `stepDays` from `first` up to `last` inclusive. */
export function asOfSeries(first: Day, last: Day, stepDays = 7): Day[] {
  checkLength('a step', stepDays);
  if (last < first) {
    throw new WindowError(`the series ends (${formatDay(last)}) before it starts (${formatDay(first)})`);
  }
  const out: Day[] = [];
  for (let d = first; d <= last; d += stepDays) out.push(d);
  return out;
}

/** Parses a date typed by a person (an option), refusing what is not one. */
export function requireDay(option: string, text: string): Day {
  const day = parseDay(text.trim());
  if (Number.isNaN(day)) throw new WindowError(`${option}: "${text}" is not a date (YYYY-MM-DD)`);
  return day;
}
