import type { FileSpec } from '../spec/index.js';

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
