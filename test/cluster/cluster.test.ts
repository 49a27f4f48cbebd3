import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { parseConfig } from '../../src/config/index.js';
import { pino } from 'pino';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../store/pg.js';
import { dropPrefix, REDIS_URL, redisAvailable, testPrefix, until } from '../helpers/redis.js';
import { ADMIN, get, message, post, simProviders, startPair, timeUntil, type Pair } from './support.js';

/**
 * SPEC section 8 / issue 8: N stateless instances sharing one PostgreSQL and one Redis. Two instances on different
 * ports, the real PostgreSQL (a database of its own) and the real Redis (a key prefix of its own), one simulator.
 */
const BUDGET_KEY = 'sk-sy-cluster-budget-key-000000000001';
const RPM_KEY = 'sk-sy-cluster-rpm-key-00000000000000001';
const suite = 'two instances sharing PostgreSQL and Redis';
const ready = (await postgresAvailable(suite)) && (await redisAvailable(suite));

/** Propagation times measured by the tests below, printed at the end (they are not asserted beyond the 1 s bound). */
const measured: Record<string, number> = {};

describe.skipIf(!ready)(suite, () => {
  let pair: Pair;
  let dbUrl: string;
  const prefix = testPrefix();

  beforeAll(async () => {
    dbUrl = await createTestDatabase();
    pair = await startPair((sim) => ({
      storage: { postgres: dbUrl },
      redis: { url: REDIS_URL, prefix },
      auth: {
        admin_key: ADMIN,
        keys: [
          { name: 'budget', key: BUDGET_KEY, limits: { usd_per_day: 0.5 } },
          { name: 'rpm', key: RPM_KEY, limits: { requests_per_minute: 10 } },
        ],
      },
      providers: simProviders(sim),
      failover: { breaker: { consecutiveFailures: 2, cooldownMs: 60_000 } },
    }));
  });

  afterAll(async () => {
    await pair?.close();
    await dropTestDatabases();
    await dropPrefix(prefix);
    console.log(`[cluster] propagation times (ms): ${JSON.stringify(measured)}`);
  });

  it('both instances share the store and are connected to Redis (readyz detail)', async () => {
    for (const h of [pair.a, pair.b]) {
      const r = await fetch(`${h.url}/readyz`);
      const body = (await r.json()) as { status: string; store: string; redis: { status: string }; change_feed: string[] };
      expect(r.status).toBe(200);
      expect(body).toMatchObject({ status: 'ready', store: 'postgres', redis: { status: 'up' } });
      expect(body.change_feed).toEqual(['redis', 'postgres']);
    }
  });

  it("a router created through A routes B's next request (within 1 s)", async () => {
    const router = {
      name: 'routers/shared-one',
      defaultRoute: { route_id: 'default', variants: [{ variant: { variant_id: 'only', model_id: 'priced/priced-model' }, weight: 100 }] },
    };
    const created = await post(pair.a, '/router/v1/routers', router, ADMIN);
    expect(created.status).toBe(200);
    measured.router_create = await timeUntil('B knows the router', () => pair.b.app.services.routers.get('shared-one') !== null, 1000);
    const r = await post(pair.b, '/v1/messages', message('router/shared-one'), pair.b.key);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.headers.get('x-switchyard-provider')).toBe('priced');
    // An update through B reaches A the same way.
    const updated = await fetch(`${pair.b.url}/router/v1/routers/shared-one?update_mask=display_name`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ display_name: 'Renamed on B' }),
    });
    expect(updated.status).toBe(200);
    measured.router_update = await timeUntil('A sees the update', () => pair.a.app.services.routers.get('shared-one')?.router.displayName === 'Renamed on B', 1000);
  });

  it('a key revoked on A is refused by B within 1 s', async () => {
    const created = await post(pair.a, '/admin/v1/keys', { name: 'short-lived' }, ADMIN);
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    measured.key_create = await timeUntil('B accepts the new key', () => pair.b.app.services.keys.authenticate(key) !== null, 1000);
    expect((await post(pair.b, '/v1/messages', message('priced/priced-model'), key)).status).toBe(200);
    const revoked = await fetch(`${pair.a.url}/admin/v1/keys/${created.body.id as string}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(revoked.status).toBe(200);
    measured.key_revoke = await timeUntil('B refuses the key', () => pair.b.app.services.keys.authenticate(key) === null, 1000);
    const refused = await post(pair.b, '/v1/messages', message('priced/priced-model'), key);
    expect(refused.status).toBe(401);
  });

  it('a key revoked by another process (the CLI: a plain store connection) is refused by both within 1 s', async () => {
    const direct = await PostgresStore.open(dbUrl);
    try {
      const created = await post(pair.a, '/admin/v1/keys', { name: 'cli-revoked' }, ADMIN);
      const key = created.body.key as string;
      await until('both know it', () => (pair.a.app.services.keys.authenticate(key) && pair.b.app.services.keys.authenticate(key) ? true : undefined));
      await direct.revokeKey('cli-revoked');
      measured.key_revoke_cli = await timeUntil('both refuse it', () => pair.a.app.services.keys.authenticate(key) === null && pair.b.app.services.keys.authenticate(key) === null, 1000);
    } finally {
      await direct.close();
    }
  });

  it("a config change on a (re)starting instance reaches the running ones within 1 s", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sy-cluster-'));
    const config = parseConfig(
      {
        server: { port: 0 },
        storage: { postgres: dbUrl },
        redis: { url: REDIS_URL, prefix },
        auth: { admin_key: ADMIN },
        providers: simProviders(pair.sim),
        routers: [{ name: 'routers/from-config', defaultRoute: { route_id: 'd', variants: [{ variant: { variant_id: 'v', model_id: 'priced/priced-model' }, weight: 100 }] } }],
        telemetry: { log_level: 'silent' },
      },
      'test',
      {},
    );
    let c: App | null = null;
    try {
      c = await createApp({ config, dataDir, logger: pino({ level: 'silent' }), env: {} });
      measured.config_router = await timeUntil('A and B know the config router', () => pair.a.app.services.routers.get('from-config') !== null && pair.b.app.services.routers.get('from-config') !== null, 1000);
    } finally {
      await c?.close(1000);
    }
  });

  it('a config reload (SIGHUP) on A: its routers and keys reach B within 1 s; an invalid file changes nothing', async () => {
    const NEW_KEY = 'sk-sy-cluster-reloaded-key-0000000001';
    const base = {
      server: { port: 0 },
      storage: { postgres: dbUrl },
      redis: { url: REDIS_URL, prefix },
      providers: simProviders(pair.sim),
      telemetry: { log_level: 'silent' as const },
    };
    const next = parseConfig(
      {
        ...base,
        auth: { admin_key: ADMIN, keys: [{ name: 'budget', key: BUDGET_KEY, limits: { usd_per_day: 0.5 } }, { name: 'rpm', key: RPM_KEY, limits: { requests_per_minute: 10 } }, { name: 'reloaded', key: NEW_KEY }] },
        routers: [{ name: 'routers/reloaded', defaultRoute: { route_id: 'd', variants: [{ variant: { variant_id: 'v', model_id: 'priced/priced-model' }, weight: 100 }] } }],
      },
      'test',
      {},
    );
    expect((await post(pair.b, '/v1/messages', message('priced/priced-model'), NEW_KEY)).status).toBe(401);
    const { notApplied } = await pair.a.app.reloadConfig(next);
    expect(notApplied).not.toContain('routers');
    measured.config_reload_router = await timeUntil('B knows the reloaded router', () => pair.b.app.services.routers.get('reloaded') !== null, 1000);
    measured.config_reload_key = await timeUntil('B accepts the reloaded key', async () => (await post(pair.b, '/v1/messages', message('router/reloaded'), NEW_KEY)).status === 200, 1000);

    const invalid = parseConfig({ ...base, auth: { admin_key: ADMIN }, routers: [{ name: 'routers/broken', defaultRoute: { route_id: 'd', variants: [] } }] }, 'test', {});
    await expect(pair.a.app.reloadConfig(invalid)).rejects.toThrow(/routers\[0\]/);
    expect(pair.a.app.services.routers.get('reloaded')).not.toBeNull();
  });

  it('a circuit opened by failures through A is skipped by B (nothing is sent upstream)', async () => {
    pair.sim.fault({ fault: { kind: 'status', status: 500 }, match: { model: 'flaky-model' }, times: 2 });
    for (let i = 0; i < 2; i++) expect((await post(pair.a, '/v1/messages', message('flaky/flaky-model'), pair.a.key)).status).toBe(500);
    const key = { provider: 'flaky', model: 'flaky-model', key: 'key0' };
    expect(pair.a.app.services.breakers.state(key)).toBe('open');
    measured.circuit_open = await timeUntil('B has the circuit open', () => pair.b.app.services.breakers.state(key) === 'open', 1000);
    const sent = pair.sim.requests.length;
    const r = await post(pair.b, '/v1/messages', message('flaky/flaky-model'), pair.b.key);
    expect(r.status).toBe(503);
    expect((r.body.error as { message: string }).message).toContain('circuits open');
    expect(pair.sim.requests.length).toBe(sent);
    const circuits = await get(pair.b, '/admin/v1/circuits', ADMIN);
    expect(circuits.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ provider: 'flaky', model: 'flaky-model', state: 'open' })]));
  });

  it('live latency statistics measured on A are used by B', async () => {
    const before = pair.b.app.services.stats.ttftP50('priced', 'priced-model');
    for (let i = 0; i < 6; i++) expect((await post(pair.a, '/v1/messages', message('priced/priced-model'), pair.a.key)).status).toBe(200);
    const after = await until('B has samples from A', () => {
      const v = pair.b.app.services.stats.ttftP50('priced', 'priced-model');
      return v && v.samples >= (before?.samples ?? 0) + 6 ? v : undefined;
    });
    expect(after.value).toBeGreaterThanOrEqual(0);
  });

  it('a $0.50 budget holds across both instances under 50 concurrent requests (overspend at most one estimate)', async () => {
    // Every request stays in flight for a while, so all 50 are admitted or refused before the first settles.
    pair.sim.fault({ fault: { kind: 'latency', ms: 300 }, match: { model: 'priced-model' } });
    const prompt = 'count to three';
    let responses: Array<{ status: number; body: Record<string, unknown>; headers: Headers }>;
    try {
      responses = await Promise.all(Array.from({ length: 50 }, (_, i) => post(i % 2 ? pair.a : pair.b, '/v1/messages', message('priced/priced-model', prompt, 20), BUDGET_KEY)));
    } finally {
      pair.sim.clearFaults();
    }
    const ok = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status === 429);
    expect(ok.length + refused.length).toBe(50);
    expect(ok.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
      expect((r.body.error as { message: string }).message).toMatch(/^Key 'budget' exceeded its budget of \$0\.50 per day \(\$0\.\d\d spent or reserved\); resets in \d/);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r.headers.get('x-switchyard-limit')).toBe('usd_per_day');
    }
    // The real spend, from the records both instances wrote, at catalog prices ($0.001 a token here).
    await Promise.all([pair.a.flush(), pair.b.flush()]);
    const ids = ok.map((r) => r.headers.get('x-request-id')!);
    const records = await until('all records stored', async () => {
      const rs = await Promise.all(ids.map((id) => pair.a.app.services.store.getRecord(id)));
      return rs.every((r) => r !== null) ? rs.map((r) => r!) : undefined;
    });
    const spent = records.reduce((t, r) => t + (r.costUsd ?? 0), 0);
    // One request's estimate: its prompt (under 30 tokens by any tokenizer) plus max_tokens 20, at $0.001 a token.
    const oneEstimate = (30 + 20) * 0.001;
    expect(spent).toBeLessThanOrEqual(0.5 + oneEstimate);
    // Settlement replaced every reservation by the real cost: the shared counter is the recorded spend.
    const limiterUsage = await pair.a.app.services.cluster.shared!.limits.usage(records[0].keyId!, ...(Object.values(periods()) as [string, string]));
    expect(limiterUsage.dayNano / 1e9).toBeCloseTo(spent, 6);
    measured.budget_admitted = ok.length;
  });

  it('requests-per-minute limits hold across both instances', async () => {
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => post(i % 2 ? pair.a : pair.b, '/v1/chat/completions', { model: 'priced/priced-model', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }, RPM_KEY)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    const refused = responses.filter((r) => r.status === 429);
    expect(refused).toHaveLength(20);
    for (const r of refused) {
      // The OpenAI surface answers in OpenAI's error shape.
      expect(r.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
      expect((r.body.error as { message: string }).message).toMatch(/^Key 'rpm' exceeded its limit of 10 requests per minute; retry in (1m|\d+s)\.$/);
      const retry = Number(r.headers.get('retry-after'));
      expect(retry).toBeGreaterThan(0);
      expect(retry).toBeLessThanOrEqual(60);
    }
  });

  it('records from both instances appear in either admin API', async () => {
    const fromA = await post(pair.a, '/v1/messages', message('priced/priced-model', 'from a'), pair.a.key);
    const fromB = await post(pair.b, '/v1/messages', message('priced/priced-model', 'from b'), pair.b.key);
    const ids = [fromA.headers.get('x-request-id')!, fromB.headers.get('x-request-id')!];
    await Promise.all([pair.a.flush(), pair.b.flush()]);
    for (const h of [pair.a, pair.b]) {
      const listed = await until('both records listed', async () => {
        const r = await get(h, '/admin/v1/requests?limit=200', ADMIN);
        const seen = new Set((r.body.data as Array<{ id: string }>).map((x) => x.id));
        return ids.every((id) => seen.has(id)) ? true : undefined;
      });
      expect(listed).toBe(true);
      for (const id of ids) expect((await get(h, `/admin/v1/requests/${id}`, ADMIN)).status).toBe(200);
    }
  });

  it('/metrics shows Redis up and the limit refusals', async () => {
    const text = await (await fetch(`${pair.a.url}/metrics`)).text();
    expect(text).toMatch(/^switchyard_redis_up 1$/m);
    expect(text).toMatch(/^switchyard_limit_refusals_total\{limit="usd_per_day"\} [1-9]/m);
  });
});

function periods(): { day: string; month: string } {
  const iso = new Date().toISOString();
  return { day: iso.slice(0, 10), month: iso.slice(0, 7) };
}

describe.skipIf(!ready)('two instances sharing PostgreSQL only (no Redis): changes travel by NOTIFY', () => {
  let pair: Pair;

  beforeAll(async () => {
    const dbUrl = await createTestDatabase();
    pair = await startPair((sim) => ({ storage: { postgres: dbUrl }, auth: { admin_key: ADMIN }, providers: simProviders(sim) }));
  });

  afterAll(async () => {
    await pair?.close();
    await dropTestDatabases();
    console.log(`[cluster, PostgreSQL only] propagation times (ms): ${JSON.stringify(measured)}`);
  });

  it('the change feed is PostgreSQL alone, and the store poll is only the slow safety net', async () => {
    const body = (await (await fetch(`${pair.a.url}/readyz`)).json()) as { redis: unknown; change_feed: string[] };
    expect(body).toMatchObject({ redis: null, change_feed: ['postgres'] });
  });

  it('a router created on A and a key revoked on A reach B within 1 s', async () => {
    const router = { name: 'routers/pg-only', defaultRoute: { route_id: 'd', variants: [{ variant: { variant_id: 'v', model_id: 'priced/priced-model' }, weight: 100 }] } };
    expect((await post(pair.a, '/router/v1/routers', router, ADMIN)).status).toBe(200);
    measured.pg_router_create = await timeUntil('B knows the router', () => pair.b.app.services.routers.get('pg-only') !== null, 1000);
    expect((await post(pair.b, '/v1/messages', message('router/pg-only'), pair.b.key)).status).toBe(200);
    const created = await post(pair.a, '/admin/v1/keys', { name: 'pg-only-key' }, ADMIN);
    const key = created.body.key as string;
    await timeUntil('B accepts the key', () => pair.b.app.services.keys.authenticate(key) !== null, 1000);
    await fetch(`${pair.a.url}/admin/v1/keys/${created.body.id as string}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
    measured.pg_key_revoke = await timeUntil('B refuses the key', () => pair.b.app.services.keys.authenticate(key) === null, 1000);
  });
});
