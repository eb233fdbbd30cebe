/**
 * The system of record, whichever engine holds it: PostgreSQL in production (`DATABASE_URL`),
 * PGlite (PostgreSQL compiled to WebAssembly, in process) where no server is configured.
 * Both speak the same SQL, so the code above this interface never knows which it has.
 */
export interface Db {
  readonly engine: 'postgres' | 'pglite';
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs `fn` in one transaction: all of it or none of it. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
