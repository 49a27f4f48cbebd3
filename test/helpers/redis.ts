import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, it } from 'vitest';

/** The Redis server the shared-state tests use: the one on this machine by default. */
export const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function probe(): Promise<string | null> {
  const c = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.ping();
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    c.disconnect();
  }
}

/**
 * Whether the Redis tests can run. When the server is unreachable the suite is skipped with a visible notice, or, with
 * `REQUIRE_SERVICES=1` (CI), a failing test is registered that says why.
 */
export async function redisAvailable(suite: string): Promise<boolean> {
  const reason = await probe();
  if (reason === null) return true;
  const what = `Redis at ${REDIS_URL} is not reachable (${reason})`;
  if (process.env.REQUIRE_SERVICES === '1') {
    describe(suite, () => {
      it('needs Redis (REQUIRE_SERVICES=1)', () => {
        throw new Error(`${what}. Start it (redis-server --daemonize yes) or point SWITCHYARD_TEST_REDIS_URL at a server.`);
      });
    });
  } else {
    console.warn(`\n[SKIPPED] ${suite}: ${what}. Set REQUIRE_SERVICES=1 to fail instead of skipping.\n`);
  }
  return false;
}

/** A key prefix of its own for one test file, so test files running in parallel on one Redis never collide. */
export function testPrefix(): string {
  return `sytest:${randomBytes(5).toString('hex')}`;
}

/** Deletes every key under `prefix` (the end of a test file). */
export async function dropPrefix(prefix: string): Promise<void> {
  const c = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  c.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await c.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await c.del(...keys);
    } while (cursor !== '0');
  } finally {
    c.disconnect();
  }
}

/** Polls `check` every 20 ms until it returns a value other than undefined, failing after `ms`. */
export async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
