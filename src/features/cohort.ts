import type { Day } from '../dates/index.js';
import { NO_DAY, OUTCOMES, type District } from '../sources/index.js';

const EXITS = new Set(['dropped_out', 'transferred', 'graduated'].map((o) => OUTCOMES.indexOf(o as never)));
const RETURNED = OUTCOMES.indexOf('returned');

/**
 * When students left the roll: `first` is each one's first dropout, transfer or graduation (or +∞);
 * `spans` the time away of the few who came back (劝返复学), [left, back) — a student who dropped out in
 * October and returned in November is on the roll again from November. Outcomes dated after an as-of
 * date are only ever compared with it, never read into features.
 */
export interface Exits {
  readonly first: Float64Array;
  readonly spans: ReadonlyMap<number, readonly (readonly [number, number])[]>;
}

export function exitDays(district: District): Exits {
  const first = new Float64Array(district.roster.size).fill(Number.POSITIVE_INFINITY);
  const spans = new Map<number, [number, number][]>();
  const o = district.outcomes;
  if (!o) return { first, spans };
  const s = o.int32('student_id');
  const day = o.int32('date');
  const kind = o.uint8('outcome');
  const returners = new Set<number>();
  for (let i = 0; i < o.length; i++) {
    if (EXITS.has(kind[i]) && day[i] < first[s[i]]) first[s[i]] = day[i];
    if (kind[i] === RETURNED) returners.add(s[i]);
  }
  if (returners.size === 0) return { first, spans };
  // Those who came back: their leavings and returns in date order (a day's return after its leaving).
  const rows = new Map<number, number[]>();
  for (let i = 0; i < o.length; i++)
    if (returners.has(s[i]) && (EXITS.has(kind[i]) || kind[i] === RETURNED)) (rows.get(s[i]) ?? rows.set(s[i], []).get(s[i])!).push(i);
  for (const [student, idx] of rows) {
    idx.sort((a, b) => day[a] - day[b] || Number(kind[a] === RETURNED) - Number(kind[b] === RETURNED));
    const away: [number, number][] = [];
    let left: number | null = null;
    for (const i of idx) {
      if (EXITS.has(kind[i])) left ??= day[i];
      else if (left !== null) {
        away.push([left, day[i]]);
        left = null;
      }
    }
    if (left !== null) away.push([left, Number.POSITIVE_INFINITY]);
    spans.set(student, away);
  }
  return { first, spans };
}

/** Is a student away from the roll on `day` (left, and not back by then)? */
export function awayOn(e: Exits, s: number, day: Day): boolean {
  if (e.first[s] > day) return false;
  const away = e.spans.get(s);
  return away ? away.some(([from, back]) => day >= from && day < back) : true;
}

/** Students on the roll as of D: enrolled by D (when known) and not away. Ascending indices. */
export function onRoll(district: District, asOf: Day, exits: Exits = exitDays(district)): Int32Array {
  const enrolled = district.students.int32('enrolled_on');
  const out: number[] = [];
  for (let s = 0; s < district.roster.size; s++) {
    if (enrolled[s] !== NO_DAY && enrolled[s] > asOf) continue;
    if (awayOn(exits, s, asOf)) continue;
    out.push(s);
  }
  return Int32Array.from(out);
}
