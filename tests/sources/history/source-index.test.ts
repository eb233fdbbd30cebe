import { describe, expect, it } from 'vitest';
import { parseDay } from '../../../src/dates/index.js';
import { bucketsOf } from '../../../src/sources/history/source-index.js';
import { attendance, students, subsidies, Table, TableBuilder } from '../../../src/sources/index.js';
import { EMPTY } from '../../../src/sources/read/parse-value.js';

/** A source's index is kept in weeks of the date that names a row, so a week's pull touches its week only. */
describe('index buckets', () => {
  it('should put a row in the week (Monday to Sunday) of its identity date, and a dateless key in one bucket', () => {
    const b = new TableBuilder(attendance);
    for (const d of ['2025-09-01', '2025-09-07', '2025-09-08', '2024-12-30']) b.append(2, [0, parseDay(d), 0, EMPTY]);
    const names = (t: Table) => {
      const { ids, name } = bucketsOf(t);
      return Array.from(ids, name);
    };
    expect(names(b.build())).toEqual(['2025-09-01', '2025-09-01', '2025-09-08', '2024-12-30']);
    // A grant is named by its start: its end may change without moving it.
    const g = new TableBuilder(subsidies);
    g.append(2, [0, 0, 1, EMPTY, EMPTY, parseDay('2025-09-10'), EMPTY]);
    expect(names(g.build())).toEqual(['2025-09-08']);
    expect(names(Table.empty(students))).toEqual([]);
    const s = new TableBuilder(students);
    s.append(2, ['A1', 'S1', '7-1', 7, ...new Array(students.columns.length - 4).fill(EMPTY)]);
    expect(names(s.build())).toEqual(['all']);
  });
});
