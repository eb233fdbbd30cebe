import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/index.js';

describe('the embedded store on its own thread', () => {
  it('keeps a write from outside a transaction out of it, so a rollback cannot take it', async () => {
    const db = await openDb({ url: 'memory://', offThread: true, migrate: false });
    try {
      await db.query('create table t (v int)');
      let outside: Promise<unknown> = Promise.resolve();
      const failed = db.transaction(async (tx) => {
        await tx.query('insert into t values (1)');
        // Issued while the transaction is open: it must wait for it, not join it.
        outside = db.query('insert into t values (2)');
        await new Promise((r) => setTimeout(r, 50));
        throw new Error('scoring failed half way');
      });
      await expect(failed).rejects.toThrow('scoring failed half way');
      await outside;
      expect((await db.query<{ v: number }>('select v from t order by v')).rows).toEqual([{ v: 2 }]);
      await db.copyIn('copy t (v) from stdin', '3\n4\n');
      expect((await db.query<{ n: number }>('select count(*)::int as n from t')).rows).toEqual([{ n: 3 }]);
    } finally {
      await db.close();
    }
  });
});
