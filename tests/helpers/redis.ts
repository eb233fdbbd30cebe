import { connect } from '../../src/queue/connection.js';

/** A key prefix of the test's own, so tests share one Redis without meeting. */
export const testPrefix = (name: string) => `ews-${name}-test-${process.pid}-${Date.now()}`;

/** Deletes every key under a test's prefix. */
export async function clearPrefix(prefix: string): Promise<void> {
  const c = connect();
  try {
    const keys = await c.keys(`${prefix}:*`);
    if (keys.length) await c.del(...keys);
  } finally {
    c.disconnect();
  }
}
