import { horizon, inWindow, type Day } from '../dates/index.js';
import { OUTCOMES, type District } from '../sources/index.js';

const DROPPED = OUTCOMES.indexOf('dropped_out');

/**
 * The label for as-of D and horizon H: the student dropped out in (D, D+H]. A transfer or
 * graduation in the window is not a dropout (label 0); students gone by D are not scored,
 * so they never reach here.
 */
export function dropoutLabels(district: District, students: Int32Array, asOf: Day, horizonDays: number): Uint8Array {
  const window = horizon(asOf, horizonDays);
  const dropped = new Set<number>();
  const o = district.outcomes;
  if (o) {
    const s = o.int32('student_id');
    const day = o.int32('date');
    const kind = o.uint8('outcome');
    for (let i = 0; i < o.length; i++) if (kind[i] === DROPPED && inWindow(window, day[i])) dropped.add(s[i]);
  }
  return Uint8Array.from(students, (s) => (dropped.has(s) ? 1 : 0));
}
