/** One refused row, as rejects.csv holds it. `line` is the physical line (header = 1). */
export interface Reject {
  readonly file: string;
  readonly line: number;
  readonly column: string;
  readonly value: string;
  readonly reason: string;
}

/** Free text may be sensitive (a family-event note): a reject names the problem, not the words. */
export const WITHHELD = '[withheld]';
const MAX_VALUE = 200;

export function shownValue(value: string, sensitive: boolean): string {
  if (sensitive && value !== '') return WITHHELD;
  return value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)}…` : value;
}
