import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, REDIS_URL, redisAvailable, testPrefix } from '../../test/helpers/redis.js';
import { RedisLimits } from './redis.js';
import { periodsOf, type AdmitInput, type ResolvedLimits, type Ticket } from './types.js';

/**
 * The shared limit backend against the real Redis. Two backends on two connections stand for two instances: every
 * admission is one atomic script, so limits hold across them under concurrency.
 */
const available = await redisAvailable('Redis limit backend');

describe.skipIf(!available)('Redis limit backend', () => {
  const prefix = testPrefix();
  let c1: Redis;
  let c2: Redis;
  let a: RedisLimits;
  let b: RedisLimits;
  let n = 0;

  beforeAll(() => {
    c1 = new Redis(REDIS_URL);
    c2 = new Redis(REDIS_URL);
    a = new RedisLimits(c1, prefix);
    b = new RedisLimits(c2, prefix);
  });

  afterAll(async () => {
    a?.close();
    b?.close();
    c1?.disconnect();
    c2?.disconnect();
    await dropPrefix(prefix);
  });

  /** A subject of its own per test. */
  function subject(): string {
    return `key_${++n}`;
  }

  function input(s: string, limits: ResolvedLimits, over: Partial<AdmitInput> = {}): AdmitInput {
    return { subject: s, limits, tokens: 0, costNano: 0, ...periodsOf(Date.now()), ...over };
  }

  it('requests per minute hold across two instances admitting concurrently', async () => {
    const s = subject();
    const lim = { requests_per_minute: 10 };
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).admit(input(s, lim))));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    const refused = results.filter((r) => !r.ok);
    expect(refused).toHaveLength(30);
    for (const r of refused) {
      expect(r).toMatchObject({ ok: false, limit: 'requests_per_minute', used: 10 });
      if (!r.ok) expect(r.retryAfterMs).toBeGreaterThan(0);
      if (!r.ok) expect(r.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
  });

  it('a $0.50 daily budget admits exactly as many $0.05 reservations as fit, across instances, under 50 concurrent requests', async () => {
    const s = subject();
    const lim = { usd_per_day: 0.5 };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).admit(input(s, lim, { costNano: 5e7 }))));
    const admitted = results.filter((r): r is { ok: true; ticket: Ticket } => r.ok);
    expect(admitted).toHaveLength(10);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.limit === 'usd_per_day' && r.retryAfterMs === null)).toBe(true);
    // Settling at the real cost (here 0.02 each) replaces the reservations exactly.
    await Promise.all(admitted.map((r, i) => (i % 2 ? a : b).settle(r.ticket, { tokens: 0, costNano: 2e7 })));
    const { day, month } = periodsOf(Date.now());
    expect((await a.usage(s, day, month)).dayNano).toBe(10 * 2e7);
  });

  it('the month counter is kept alongside the day counter', async () => {
    const s = subject();
    const lim = { usd_per_day: 10, usd_per_month: 1 };
    const r = await a.admit(input(s, lim, { costNano: 7e8 }));
    if (!r.ok) throw new Error('refused');
    await a.settle(r.ticket, { tokens: 0, costNano: 3e8 });
    const { day, month } = periodsOf(Date.now());
    expect(await b.usage(s, day, month)).toMatchObject({ dayNano: 3e8, monthNano: 3e8 });
  });

  it('concurrent requests: slots are shared, freed by settlement, and an expired lease (a crashed instance) does not count', async () => {
    const s = subject();
    const lim = { concurrent_requests: 2 };
    const t1 = await a.admit(input(s, lim));
    const t2 = await b.admit(input(s, lim));
    expect(t1.ok && t2.ok).toBe(true);
    expect(await a.admit(input(s, lim))).toMatchObject({ ok: false, limit: 'concurrent_requests', used: 2 });
    if (t1.ok) await a.settle(t1.ticket, { tokens: 0, costNano: 0 });
    const t3 = await a.admit(input(s, lim));
    expect(t3.ok).toBe(true);
    // Instance b "crashes" holding t2: its lease is backdated to the past instead of waiting a minute for it to lapse.
    const { day, month } = periodsOf(Date.now());
    const key = b.keys(s, day, month).concurrency;
    if (t2.ok) await c1.zadd(key, 1, t2.ticket.id);
    expect((await a.admit(input(s, lim))).ok).toBe(true);
  });

  it("an instance renews the leases of its requests in progress, so they do not lapse while they run", async () => {
    const s = subject();
    const lim = { concurrent_requests: 5 };
    const t = await a.admit(input(s, lim));
    if (!t.ok) throw new Error('refused');
    const { day, month } = periodsOf(Date.now());
    const key = a.keys(s, day, month).concurrency;
    const soon = Date.now() + 1000;
    await c1.zadd(key, soon, t.ticket.id);
    await (a as unknown as { renew(): Promise<void> }).renew();
    expect(Number(await c1.zscore(key, t.ticket.id))).toBeGreaterThan(soon + 30_000);
    await a.settle(t.ticket, { tokens: 0, costNano: 0 });
    expect(await c1.zscore(key, t.ticket.id)).toBeNull();
  });

  it('tokens per minute: estimates count at admission; settlement adds the excess or hands back the overestimate', async () => {
    const s = subject();
    const lim = { tokens_per_minute: 1000 };
    const { day, month } = periodsOf(Date.now());
    const t1 = await a.admit(input(s, lim, { tokens: 700 }));
    const t2 = await b.admit(input(s, lim, { tokens: 400 }));
    expect(t1.ok && t2.ok).toBe(true);
    expect(await a.admit(input(s, lim, { tokens: 1 }))).toMatchObject({ ok: false, limit: 'tokens_per_minute', used: 1100 });
    if (t1.ok) await a.settle(t1.ticket, { tokens: 200, costNano: 0 });
    if (t2.ok) await b.settle(t2.ticket, { tokens: 450, costNano: 0 });
    expect((await a.usage(s, day, month)).tokens).toBe(650);
    expect((await a.admit(input(s, lim, { tokens: 10 }))).ok).toBe(true);
  });

  it('seeding a budget counter from the records only fills one that does not exist', async () => {
    const s = subject();
    const { day, month } = periodsOf(Date.now());
    await a.seedBudget(s, 'day', day, 4e8);
    await b.seedBudget(s, 'day', day, 9e8);
    expect((await a.usage(s, day, month)).dayNano).toBe(4e8);
    const r = await b.admit(input(s, { usd_per_day: 0.5 }, { costNano: 2e8 }));
    expect(r.ok).toBe(true);
    expect(await b.admit(input(s, { usd_per_day: 0.5 }, { costNano: 1 }))).toMatchObject({ ok: false, limit: 'usd_per_day', used: 6e8 });
    expect(await c1.ttl(a.keys(s, day, month).day)).toBeGreaterThan(86_400);
  });

  it('a refusal counts against nothing', async () => {
    const s = subject();
    const lim = { requests_per_minute: 100, usd_per_day: 0.1 };
    const first = await a.admit(input(s, lim, { costNano: 1e8 }));
    expect(first.ok).toBe(true);
    expect(await a.admit(input(s, lim, { costNano: 1e8 }))).toMatchObject({ ok: false, limit: 'usd_per_day' });
    const { day, month } = periodsOf(Date.now());
    expect(await a.usage(s, day, month)).toMatchObject({ requests: 1, dayNano: 1e8 });
  });
});
