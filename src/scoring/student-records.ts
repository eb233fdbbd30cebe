import { formatDay, type Day } from '../dates/index.js';
import type { Prepared } from '../features/index.js';
import { FAMILY_EVENTS, NO_DAY, SUBSIDY_PROGRAMS, SUBSIDY_STATUSES } from '../sources/index.js';

/**
 * What the 一人一档 page shows of a student's family and aid beside their risk: the year's family events
 * and aid records as of D (only what is dated on or before it). Kept with the score, so the page never
 * reads the district's files. Empty parts are left out: most students have neither.
 */
export interface StudentRecords {
  events?: { date: string; event: string; severity?: number }[];
  aid?: { program: string; status: string; from: string; to?: string }[];
  /** Screenings: shown to psychologists only (the page decides; head teachers never see them). */
  screenings?: { date: string; instrument: string; flagged: boolean }[];
}

const YEAR = 365;
/** A page shows the latest of these: enough for a year of a troubled family, small enough to keep for everyone. */
const MAX_EACH = 12;

export function studentRecords(p: Prepared, s: number, asOf: Day): StudentRecords {
  const out: StudentRecords = {};
  const d = p.district;
  const events: NonNullable<StudentRecords['events']> = [];
  const f = p.family;
  if (f.by.offsets[s + 1] > f.by.offsets[s]) {
    const kind = d.familyEvents.uint8('event');
    const severity = d.familyEvents.float64('severity');
    for (let k = f.by.offsets[s]; k < f.by.offsets[s + 1]; k++) {
      const i = f.by.order[k];
      const day = f.day[i];
      if (day > asOf || asOf - day > YEAR) continue;
      events.push({ date: formatDay(day), event: FAMILY_EVENTS[kind[i]] ?? 'other', ...(Number.isNaN(severity[i]) ? {} : { severity: severity[i] }) });
    }
  }
  if (events.length) out.events = events.sort((a, b) => a.date.localeCompare(b.date)).slice(-MAX_EACH);
  const a = p.subsidies;
  const aid: NonNullable<StudentRecords['aid']> = [];
  if (a.by.offsets[s + 1] > a.by.offsets[s]) {
    const program = d.subsidies.uint8('program');
    const status = d.subsidies.uint8('status');
    const to = d.subsidies.int32('effective_to');
    for (let k = a.by.offsets[s]; k < a.by.offsets[s + 1]; k++) {
      const i = a.by.order[k];
      const from = a.day[i];
      if (from > asOf) continue;
      const ends = to[i] === NO_DAY ? null : to[i];
      if (ends !== null && asOf - ends > YEAR) continue; // ended over a year ago
      aid.push({
        program: SUBSIDY_PROGRAMS[program[i]] ?? 'other',
        status: SUBSIDY_STATUSES[status[i]] ?? 'applied',
        from: formatDay(from),
        ...(ends !== null && ends <= asOf ? { to: formatDay(ends) } : {}),
      });
    }
  }
  if (aid.length) out.aid = aid.sort((x, y) => x.from.localeCompare(y.from)).slice(-MAX_EACH);
  const w = p.wellbeing;
  if (w && d.wellbeing && w.by.offsets[s + 1] > w.by.offsets[s]) {
    const instrument = d.wellbeing.codes('instrument');
    const flagged = d.wellbeing.int8('flagged');
    const screenings: NonNullable<StudentRecords['screenings']> = [];
    for (let k = w.by.offsets[s]; k < w.by.offsets[s + 1]; k++) {
      const i = w.by.order[k];
      const day = w.day[i];
      if (day > asOf || asOf - day > YEAR) continue;
      screenings.push({ date: formatDay(day), instrument: instrument.dict[instrument.data[i]] ?? '', flagged: flagged[i] === 1 });
    }
    if (screenings.length) out.screenings = screenings.sort((x, y) => x.date.localeCompare(y.date)).slice(-MAX_EACH);
  }
  return out;
}
