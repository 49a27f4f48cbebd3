import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../store/pg.js';
import { dropPrefix, REDIS_URL, redisAvailable, testPrefix, until } from '../helpers/redis.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { ADMIN, message, post, simProviders, startPair, timeUntil, type Pair } from './support.js';

/**
 * Redis going away under two running instances (issue 8, item 4): they keep serving with local state, say so in
 * /readyz and /metrics, and converge again when it is back.
 *
 * Redis is taken away by cutting a TCP proxy that stands between the instances and the machine's Redis, not by
 * stopping the Redis server: other test files use that server at the same time.
 */
const LIMITED_KEY = 'sk-sy-outage-limited-key-000000000001';
const suite = 'Redis outage under two instances';
const ready = (await postgresAvailable(suite)) && (await redisAvailable(suite));

interface Ready {
  status: string;
  redis: { status: string; outages: number; error: string | null };
}

async function readyz(url: string): Promise<{ status: number; body: Ready }> {
  const r = await fetch(`${url}/readyz`);
  return { status: r.status, body: (await r.json()) as Ready };
}

describe.skipIf(!ready)(suite, () => {
  let pair: Pair;
  const prefix = testPrefix();
  const redis = new URL(REDIS_URL);
  const proxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));

  beforeAll(async () => {
    await proxy.start();
    const dbUrl = await createTestDatabase();
    pair = await startPair((sim) => ({
      storage: { postgres: dbUrl },
      redis: { url: `redis://127.0.0.1:${proxy.port}`, prefix },
      auth: { admin_key: ADMIN, keys: [{ name: 'limited', key: LIMITED_KEY, limits: { requests_per_minute: 1000, concurrent_requests: 50, usd_per_day: 100 } }] },
      providers: simProviders(sim),
      failover: { breaker: { consecutiveFailures: 2, cooldownMs: 60_000 } },
    }));
  });

  afterAll(async () => {
    await pair?.close();
    await proxy.cut();
    await dropTestDatabases();
    await dropPrefix(prefix);
  });

  it('serves through an outage on local state, reports it, and converges when Redis returns', async () => {
    for (const h of [pair.a, pair.b]) expect((await readyz(h.url)).body.redis.status).toBe('up');

    await proxy.cut();
    for (const h of [pair.a, pair.b]) {
      await until('redis reported down', async () => ((await readyz(h.url)).body.redis.status === 'down' ? true : undefined));
      const r = await readyz(h.url);
      // Still ready: the load balancer keeps sending, the instance serves on local state.
      expect(r.status).toBe(200);
      expect(r.body.redis.outages).toBe(1);
      expect(await (await fetch(`${h.url}/metrics`)).text()).toMatch(/^switchyard_redis_up 0$/m);
    }

    // Requests keep succeeding on both, including those of a key with limits (counted locally meanwhile).
    for (const h of [pair.a, pair.b]) {
      for (const key of [h.key, LIMITED_KEY]) {
        const r = await post(h, '/v1/messages', message('priced/priced-model'), key);
        expect(r.status, JSON.stringify(r.body)).toBe(200);
      }
    }
    const concurrent = await Promise.all(Array.from({ length: 10 }, (_, i) => post(i % 2 ? pair.a : pair.b, '/v1/messages', message('priced/priced-model'), LIMITED_KEY)));
    expect(concurrent.map((r) => r.status)).toEqual(Array(10).fill(200));

    // Key changes still propagate through PostgreSQL's notifications while Redis is away.
    const created = await post(pair.a, '/admin/v1/keys', { name: 'during-outage' }, ADMIN);
    const key = created.body.key as string;
    await timeUntil('B accepts the key created on A', () => pair.b.app.services.keys.authenticate(key) !== null, 1000);

    // A circuit opens on A while Redis is away: B cannot hear of it yet.
    const circuit = { provider: 'flaky', model: 'flaky-model', key: 'key0' };
    pair.sim.fault({ fault: { kind: 'status', status: 503 }, match: { model: 'flaky-model' }, times: 2 });
    for (let i = 0; i < 2; i++) await post(pair.a, '/v1/messages', message('flaky/flaky-model'), pair.a.key);
    expect(pair.a.app.services.breakers.state(circuit)).toBe('open');
    expect(pair.b.app.services.breakers.state(circuit)).toBe('closed');

    await proxy.restore();
    for (const h of [pair.a, pair.b]) {
      await until('redis up again', async () => ((await readyz(h.url)).body.redis.status === 'up' ? true : undefined), 20_000);
      expect(await (await fetch(`${h.url}/metrics`)).text()).toMatch(/^switchyard_redis_up 1$/m);
    }
    // Converged: the circuit A opened during the outage is open on B too.
    await until('B has the circuit A opened', () => (pair.b.app.services.breakers.state(circuit) === 'open' ? true : undefined));
    // And shared limits are counted in Redis again.
    expect((await post(pair.b, '/v1/messages', message('priced/priced-model'), LIMITED_KEY)).status).toBe(200);
  });
});

describe.skipIf(!ready)('Redis hanging without closing its connections', () => {
  let pair: Pair;
  const prefix = testPrefix();
  const redis = new URL(REDIS_URL);
  const proxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));

  beforeAll(async () => {
    await proxy.start();
    const dbUrl = await createTestDatabase();
    pair = await startPair((sim) => ({
      storage: { postgres: dbUrl },
      redis: { url: `redis://127.0.0.1:${proxy.port}`, prefix },
      auth: { admin_key: ADMIN, keys: [{ name: 'limited', key: LIMITED_KEY, limits: { requests_per_minute: 1000 } }] },
      providers: simProviders(sim),
    }));
  });

  afterAll(async () => {
    await pair?.close();
    await proxy.cut();
    await dropTestDatabases();
    await dropPrefix(prefix);
  });

  it('a limit check that times out falls back to local counters and takes the instance to local state at once', async () => {
    proxy.stall();
    // Nothing tells the client the connection is dead: the first limited request waits out the command timeout.
    const r = await post(pair.a, '/v1/messages', message('priced/priced-model'), LIMITED_KEY);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(pair.a.app.services.limits.fallbacks).toBe(1);
    // ... and that timeout dropped the connection: the instance now knows Redis is down and serves on local state.
    await until('A reports Redis down', async () => ((await readyz(pair.a.url)).body.redis.status === 'down' ? true : undefined));
    for (let i = 0; i < 3; i++) expect((await post(pair.a, '/v1/messages', message('priced/priced-model'), LIMITED_KEY)).status).toBe(200);
    expect(pair.a.app.services.limits.fallbacks).toBe(1);
    await proxy.cut();
    await proxy.restore();
    await until('A is back on Redis', async () => ((await readyz(pair.a.url)).body.redis.status === 'up' ? true : undefined), 20_000);
  });
});
