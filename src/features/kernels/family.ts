import type { Day } from '../../dates/index.js';
import { FAMILY_EVENTS, type Table } from '../../sources/index.js';
import type { FeatureMatrix } from '../matrix.js';
import type { DayRows } from '../prepare.js';

/** A family event's weight halves every 90 days: a death last week outweighs a divorce last year. */
export const FAMILY_HALF_LIFE_DAYS = 90;

/** How hard each kind of event tends to hit a household (before severity). */
export const EVENT_WEIGHT: Record<(typeof FAMILY_EVENTS)[number], number> = {
  parent_death: 1.0,
  parent_serious_illness: 0.8,
  parent_incarcerated: 0.8,
  disaster_damage: 0.7,
  parent_job_loss: 0.6,
  domestic_conflict: 0.5,
  new_guardian: 0.5,
  parent_divorce: 0.5,
  parent_migrated: 0.4,
  relocation: 0.3,
  other: 0.2,
};

export const EVENT_TEXT: Record<(typeof FAMILY_EVENTS)[number], { zh: string; en: string }> = {
  parent_serious_illness: { zh: '父母重病', en: 'a parent seriously ill' },
  parent_death: { zh: '父母去世', en: 'a parent died' },
  parent_divorce: { zh: '父母离异', en: 'parents divorced' },
  parent_job_loss: { zh: '父母失业', en: 'a parent lost their job' },
  parent_migrated: { zh: '父母外出务工', en: 'a parent left to work away' },
  parent_incarcerated: { zh: '父母服刑', en: 'a parent imprisoned' },
  disaster_damage: { zh: '家庭受灾', en: 'home damaged by a disaster' },
  relocation: { zh: '搬迁', en: 'moved home' },
  new_guardian: { zh: '监护人变更', en: 'a new guardian' },
  domestic_conflict: { zh: '家庭矛盾', en: 'conflict at home' },
  other: { zh: '其他变故', en: 'another change' },
};

const KIND_WEIGHTS = FAMILY_EVENTS.map((k) => EVENT_WEIGHT[k]);
const DEATH = FAMILY_EVENTS.indexOf('parent_death');

export function familyFeatures(t: Table, rows: DayRows, asOf: Day, m: FeatureMatrix): void {
  const event = t.uint8('event');
  const severity = t.float64('severity');
  const set = {
    load: m.column('family_event_load'),
    severe: m.column('family_recent_severe'),
    year: m.column('family_events_365'),
    since: m.column('family_days_since'),
  };
  for (let r = 0; r < m.rows; r++) {
    const s = m.students[r];
    let load = 0,
      count = 0,
      severe = 0,
      best = 0,
      bestRow = -1,
      severeRow = -1,
      since = 365;
    for (let p = rows.by.offsets[s]; p < rows.by.offsets[s + 1]; p++) {
      const i = rows.by.order[p];
      const age = asOf - rows.day[i];
      if (age < 0) break; // rows are in day order: the rest are after D
      const sev = Number.isNaN(severity[i]) ? 2 : severity[i];
      const w = KIND_WEIGHTS[event[i]] * (0.4 + 0.3 * sev) * 0.5 ** (age / FAMILY_HALF_LIFE_DAYS);
      load += w;
      since = Math.min(since, age);
      if (age < 365) count++;
      if (age < 28 && (sev === 3 || event[i] === DEATH)) {
        severe = 1;
        severeRow = i;
      }
      if (w > best) {
        best = w;
        bestRow = i;
      }
    }
    set.load(r, load);
    set.severe(r, severe);
    set.year(r, count);
    set.since(r, since);
    if (bestRow >= 0) m.setDetail('family_event_load', r, describe(event[bestRow], asOf - rows.day[bestRow]));
    if (severeRow >= 0) m.setDetail('family_recent_severe', r, describe(event[severeRow], asOf - rows.day[severeRow]));
  }
}

function describe(kind: number, ageDays: number) {
  const text = EVENT_TEXT[FAMILY_EVENTS[kind]];
  const weeks = Math.floor(ageDays / 7);
  return weeks === 0
    ? { zh: `${text.zh}（本周）`, en: `${text.en} (this week)` }
    : { zh: `${text.zh}（${weeks}周前）`, en: `${text.en} (${weeks} week${weeks > 1 ? 's' : ''} ago)` };
}
