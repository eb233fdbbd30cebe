import type { FileSpec } from '../spec/index.js';

/**
 * The columns that name a row across pulls: a later pull's row with the same values is the same
 * record, changed or not. A source whose rows need not be unique (family events, subsidies,
 * screenings) is keyed by what names a record in practice, and a repeat within one pull by its order
 * among rows of that key. So a later delta's row of the same key — a second event of one kind on one
 * day — is read as a correction of the first; a whole re-export (`--full`) that lists both keeps both.
 */
export function identityOf(spec: FileSpec): readonly string[] {
  if (spec.unique) return spec.unique;
  const known: Record<string, readonly string[]> = {
    family_events: ['student_id', 'date', 'event'],
    // Not the status: a record applied for, then granted, then stopped is one record changing.
    subsidies: ['student_id', 'program', 'effective_from'],
    wellbeing: ['student_id', 'date', 'instrument'],
  };
  return known[spec.name] ?? spec.columns.map((c) => c.name);
}
