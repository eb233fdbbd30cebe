import { Redis } from 'ioredis';

/** Where Redis is: `REDIS_URL`, default redis://127.0.0.1:6379. */
export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A connection as BullMQ workers need it: commands wait for Redis to come back rather than fail. */
export function connect(url = redisUrl()): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** True when Redis answers within a second; decides between the queue and the in-process run. */
export async function redisReachable(url = redisUrl()): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
