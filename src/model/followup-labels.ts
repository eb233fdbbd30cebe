import { parseDay, type Day } from '../dates/index.js';
import { log } from '../observability/index.js';
import { OUTCOMES, TableBuilder, outcomes as outcomesSpec, type District } from '../sources/index.js';
import type { Examples } from './dataset.js';
import { subset } from './dataset.js';

/**
 * Adds the outcomes follow-up recorded (returned, dropped out, transferred) to the school's own,
 * so the next model learns from what happened after the alerts. Rows for students not on file
 * are skipped with a warning; a row the file already has is not doubled.
 */
export function withFollowupOutcomes(d: District, rows: readonly { student_id: string; date: string; outcome: string }[]): District {
  const b = new TableBuilder(outcomesSpec);
  const seen = new Set<string>();
  const o = d.outcomes;
  if (o) {
    for (let i = 0; i < o.length; i++) {
      const key = `${o.int32('student_id')[i]}|${o.int32('date')[i]}|${o.uint8('outcome')[i]}`;
      seen.add(key);
      b.append(o.line[i], [o.int32('student_id')[i], o.int32('date')[i], o.uint8('outcome')[i]]);
    }
  }
  let skipped = 0;
  for (const r of rows) {
    const s = d.roster.index.get(r.student_id);
    const day = parseDay(r.date);
    const kind = OUTCOMES.indexOf(r.outcome as never);
    if (s === undefined || Number.isNaN(day) || kind < 0) {
      skipped++;
      continue;
    }
    const key = `${s}|${day}|${kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    b.append(0, [s, day, kind]);
  }
  if (skipped > 0) log.warn({ skipped }, 'follow-up outcomes for students not on file were skipped');
  return { ...d, outcomes: b.build() };
}

/**
 * Leaves out examples of students as of dates on or after their first intervention: what
 * happened next was changed by the help they got, so it is not the untreated outcome the model
 * should learn. Returns the examples kept and how many were left out.
 */
export function withoutTreated(e: Examples, treated: ReadonlyMap<number, Day>): { examples: Examples; excluded: number } {
  if (treated.size === 0) return { examples: e, excluded: 0 };
  const kept = subset(e, (i) => {
    const t = treated.get(e.student[i]);
    return t === undefined || e.asOf[i] < t;
  });
  return { examples: kept, excluded: e.length - kept.length };
}
