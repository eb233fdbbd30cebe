/** How a cell's text becomes a value, and how it is stored once read. */
export type ValueType =
  | { readonly kind: 'id' } // opaque string, kept as given
  | { readonly kind: 'student' } // a student_id that students.csv holds; stored as the roster index
  | { readonly kind: 'date' } // stored as a Day
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'number'; readonly min?: number; readonly above?: number }
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly aliases?: Readonly<Record<string, string>> } // stored as its index; aliases: other names of a value (旷课 → absent_unexcused)
  | { readonly kind: 'bool' } // stored as 0/1, -1 when empty
  | { readonly kind: 'category' } // free short text, interned
  | { readonly kind: 'text' } // free text, possibly sensitive: kept, never logged or listed
  | { readonly kind: 'list' }; // `;`-separated ids

/**
 * `value`: the column must be present and every row must fill it.
 * `column`: the column must be present; a row may leave it empty.
 * `optional`: neither.
 */
export type Presence = 'value' | 'column' | 'optional';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ValueType;
  readonly presence: Presence;
}

/** A rule across the columns of one row; returns the failing column and reason, or null. */
export type RowCheck = (value: (column: string) => unknown) => { column: string; reason: string } | null;

export interface FileSpec {
  /** Base name without extension: `attendance` reads attendance.csv or attendance.jsonl. */
  readonly name: string;
  /** `required`: the file must exist and hold rows; `present`: must exist, may be empty; `optional`. */
  readonly need: 'required' | 'present' | 'optional';
  readonly columns: readonly ColumnSpec[];
  /** Columns that together may appear once; a later repeat is rejected. */
  readonly unique?: readonly string[];
  readonly checks?: readonly RowCheck[];
  /** Rows dated after today are impossible in this column (a date in the future). */
  readonly dateColumn?: string;
}

export const col = (name: string, type: ValueType, presence: Presence = 'optional'): ColumnSpec => ({
  name,
  type,
  presence,
});
