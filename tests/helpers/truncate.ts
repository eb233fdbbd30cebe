import { NO_DAY, Table, type District } from '../../src/sources/index.js';

/** The folder a school would have sent on day D: rows dated after D gone, later end dates unknown. */
export function truncateAt(d: District, asOf: number): District {
  const cut = (t: Table | null, dateCol = 'date'): Table | null => {
    if (!t) return null;
    const day = t.int32(dateCol);
    const keep = new Uint8Array(t.length);
    for (let i = 0; i < t.length; i++) keep[i] = day[i] <= asOf ? 1 : 0;
    return t.filter(keep);
  };
  const subsidies = cut(d.subsidies, 'effective_from')!;
  const to = subsidies.int32('effective_to').slice();
  for (let i = 0; i < to.length; i++) if (to[i] > asOf) to[i] = NO_DAY;
  const cols = new Map(subsidies.columns);
  cols.set('effective_to', { kind: 'int32', data: to });
  return {
    ...d,
    attendance: cut(d.attendance)!,
    grades: cut(d.grades)!,
    familyEvents: cut(d.familyEvents)!,
    subsidies: new Table(subsidies.spec, subsidies.length, subsidies.line, cols),
    wellbeing: cut(d.wellbeing),
    mealCard: cut(d.mealCard),
    outcomes: cut(d.outcomes),
  };
}
