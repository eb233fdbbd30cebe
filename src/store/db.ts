/**
 * The system of record, whichever engine holds it: PostgreSQL in production (`DATABASE_URL`),
 * PGlite (PostgreSQL compiled to WebAssembly, in process) where no server is configured.
 * Both speak the same SQL, so the code above this interface never knows which it has.
 */
export interface Db {
  readonly engine: 'postgres' | 'pglite';
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /**
   * Rows in COPY's text format (tab-separated, escaped with copyField) for a `copy … from stdin`
   * statement: the fastest way in for a run's million scores on both engines.
   */
  copyIn(sql: string, text: string): Promise<void>;
  /** Runs `fn` in one transaction: all of it or none of it. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A value as a field of COPY's text format: backslash, tab and line ends escaped. */
export function copyField(v: string | number): string {
  const s = String(v);
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]) : s;
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
