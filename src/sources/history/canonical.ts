import { formatDay } from '../../dates/index.js';
import { NO_CODE, NO_DAY, type Table } from '../read/table.js';
import type { FileSpec } from '../spec/index.js';
import { csvCell } from '../../util/csv-write.js';

/**
 * A checked row written back as contract text: ids as the roll holds them, ISO dates, enum names,
 * booleans as 1/0, numbers as JavaScript prints them (which reads back to the same number). Read
 * again, a canonical row gives the very values it was made from, so a history scores as its sources did.
 */
export function canonicalCells(table: Table, ids: readonly string[]): ((row: number) => string)[] {
  return table.spec.columns.map(({ name, type }) => {
    const c = table.columns.get(name)!;
    switch (type.kind) {
      case 'student': {
        const d = table.int32(name);
        return (i) => csvCell(ids[d[i]]);
      }
      case 'date': {
        const d = table.int32(name);
        return (i) => (d[i] === NO_DAY ? '' : formatDay(d[i]));
      }
      case 'int':
      case 'number': {
        const d = table.float64(name);
        return (i) => (Number.isNaN(d[i]) ? '' : String(d[i]));
      }
      case 'enum': {
        const d = table.uint8(name);
        return (i) => (d[i] === NO_CODE ? '' : type.values[d[i]]);
      }
      case 'bool': {
        const d = table.int8(name);
        return (i) => (d[i] < 0 ? '' : String(d[i]));
      }
      case 'category': {
        const { data, dict } = table.codes(name);
        return (i) => (data[i] < 0 ? '' : csvCell(dict[data[i]]));
      }
      case 'list': {
        const d = table.lists(name);
        return (i) => csvCell(d[i].join(';'));
      }
      default: {
        if (c.kind !== 'strings') throw new Error(`${table.spec.name}.${name}: unexpected ${c.kind} column`);
        const d = c.data;
        return (i) => csvCell(d[i]);
      }
    }
  });
}

export const headerOf = (spec: FileSpec): string => spec.columns.map((c) => c.name).join(',');

/**
 * The columns that name a row across pulls: a later pull's row with the same values is the same
 * record, changed or not. A source whose rows need not be unique (family events, subsidies,
 * screenings) is keyed by what names a record in practice, and a repeat within one pull by its
 * order among rows of that key.
 */
export function identityOf(spec: FileSpec): readonly string[] {
  if (spec.unique) return spec.unique;
  const known: Record<string, readonly string[]> = {
    family_events: ['student_id', 'date', 'event'],
    subsidies: ['student_id', 'program', 'status', 'effective_from'],
    wellbeing: ['student_id', 'date', 'instrument'],
  };
  return known[spec.name] ?? spec.columns.map((c) => c.name);
}
