import type { Day } from '../dates/index.js';
import { NO_DAY, OUTCOMES, type District } from '../sources/index.js';

const EXITS = new Set(['dropped_out', 'transferred', 'graduated'].map((o) => OUTCOMES.indexOf(o as never)));

/**
 * The day each student left the roll (first dropout, transfer or graduation), or +∞.
 * Outcomes dated after an as-of date are only ever compared with it, never read into features.
 */
export function exitDays(district: District): Float64Array {
  const exit = new Float64Array(district.roster.size).fill(Number.POSITIVE_INFINITY);
  const o = district.outcomes;
  if (!o) return exit;
  const s = o.int32('student_id');
  const day = o.int32('date');
  const kind = o.uint8('outcome');
  for (let i = 0; i < o.length; i++) if (EXITS.has(kind[i]) && day[i] < exit[s[i]]) exit[s[i]] = day[i];
  return exit;
}

/** Students on the roll as of D: enrolled by D (when known) and not yet gone. Ascending indices. */
export function onRoll(district: District, asOf: Day, exits: Float64Array = exitDays(district)): Int32Array {
  const enrolled = district.students.int32('enrolled_on');
  const out: number[] = [];
  for (let s = 0; s < district.roster.size; s++) {
    if (enrolled[s] !== NO_DAY && enrolled[s] > asOf) continue;
    if (exits[s] <= asOf) continue;
    out.push(s);
  }
  return Int32Array.from(out);
}
