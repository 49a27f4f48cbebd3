import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { until } from '../helpers/redis.js';
import { ADMIN, message, post, simProviders } from './support.js';

/**
 * Per-key limits on a single instance without Redis (SQLite): the same limits, counted in the process.
 */
const BUDGET_KEY = 'sk-sy-local-budget-key-0000000000001';
const TPM_KEY = 'sk-sy-local-tpm-key-000000000000000001';

describe('a budget across a restart of a single instance', () => {
  it("starts from the day's recorded spend, not from zero", async () => {
    const sim = await startSimulator({ port: 0 });
    const overrides = { auth: { admin_key: ADMIN, keys: [{ name: 'small', key: BUDGET_KEY, limits: { usd_per_day: 0.05 } }] }, providers: simProviders(sim) };
    const first = await startHarness(overrides, { sim });
    const statuses: number[] = [];
    for (let i = 0; i < 5 && statuses.at(-1) !== 429; i++) statuses.push((await post(first, '/v1/messages', message('priced/priced-model', 'count to three', 20), BUDGET_KEY)).status);
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.at(-1)).toBe(429);
    await first.app.close(1000);
    const { createApp } = await import('../../src/app.js');
    const { parseConfig } = await import('../../src/config/index.js');
    const { pino } = await import('pino');
    const config = parseConfig({ ...overrides, server: { port: 0 }, telemetry: { log_level: 'silent' } }, 'test', {});
    const second = await createApp({ config, dataDir: first.dataDir, logger: pino({ level: 'silent' }), env: {} });
    try {
      const url = await second.listen(0, '127.0.0.1');
      const r = await post({ url } as Harness, '/v1/messages', message('priced/priced-model', 'count to three', 20), BUDGET_KEY);
      expect(r.status).toBe(429);
      expect((r.body.error as { message: string }).message).toMatch(/^Key 'small' exceeded its budget of \$0\.05 per day/);
    } finally {
      await second.close(1000);
      await sim.close();
    }
  });
});

describe('per-key limits without Redis', () => {
  let sim: Simulator;
  let h: Harness;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0 });
    h = await startHarness(
      {
        auth: {
          admin_key: ADMIN,
          keys: [
            { name: 'budget', key: BUDGET_KEY, limits: { usd_per_day: 0.2, concurrent_requests: null } },
            { name: 'tpm', key: TPM_KEY, limits: { tokens_per_minute: 60 } },
          ],
        },
        limits: { default: { concurrent_requests: 3 } },
        providers: simProviders(sim),
      },
      { sim },
    );
  });

  afterAll(async () => {
    await h?.close();
    await sim?.close();
  });

  it('runs on local counters, and keys without limits of their own get the default', () => {
    expect(h.app.services.cluster.shared).toBeNull();
    expect(h.app.services.limits.limitsFor(h.app.services.keys.authenticate(h.key)!)).toEqual({ concurrent_requests: 3 });
  });

  it('concurrent requests: the default of 3 holds while they are in flight', async () => {
    sim.fault({ fault: { kind: 'latency', ms: 300 }, match: { model: 'priced-model' } });
    let statuses: number[];
    try {
      statuses = (await Promise.all(Array.from({ length: 8 }, () => post(h, '/v1/messages', message('priced/priced-model'), h.key)))).map((r) => r.status);
    } finally {
      sim.clearFaults();
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    // Settled: the slots are free again.
    expect((await post(h, '/v1/messages', message('priced/priced-model'), h.key)).status).toBe(200);
  });

  it('a budget holds under concurrent requests and says which limit, in the Anthropic format', async () => {
    sim.fault({ fault: { kind: 'latency', ms: 200 }, match: { model: 'priced-model' } });
    let responses: Awaited<ReturnType<typeof post>>[];
    try {
      responses = await Promise.all(Array.from({ length: 20 }, () => post(h, '/v1/messages', message('priced/priced-model', 'count to three', 20), BUDGET_KEY)));
    } finally {
      sim.clearFaults();
    }
    const ok = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status === 429);
    expect(ok.length).toBeGreaterThan(0);
    expect(ok.length + refused.length).toBe(20);
    expect(refused[0].body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect((refused[0].body.error as { message: string }).message).toMatch(/^Key 'budget' exceeded its budget of \$0\.20 per day/);
    await h.flush();
    const ids = ok.map((r) => r.headers.get('x-request-id')!);
    const records = await until('records stored', async () => {
      const rs = await Promise.all(ids.map((id) => h.app.services.store.getRecord(id)));
      return rs.every((r) => r !== null) ? rs.map((r) => r!) : undefined;
    });
    const spent = records.reduce((t, r) => t + (r.costUsd ?? 0), 0);
    expect(spent).toBeLessThanOrEqual(0.2 + (30 + 20) * 0.001);
  });

  it('tokens per minute: counted from the estimate and the real usage; the OpenAI surface answers in its format', async () => {
    const body = { model: 'priced/priced-model', max_tokens: 30, messages: [{ role: 'user', content: 'tell me about tokens and limits' }] };
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof post>> | null = null;
    for (let i = 0; i < 6 && last?.status !== 429; i++) {
      last = await post(h, '/v1/chat/completions', body, TPM_KEY);
      statuses.push(last.status);
    }
    expect(statuses[0]).toBe(200);
    expect(last?.status).toBe(429);
    expect(last?.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', message: expect.stringMatching(/^Key 'tpm' exceeded its limit of 60 tokens per minute; retry in /) });
    expect(last?.headers.get('x-switchyard-limit')).toBe('tokens_per_minute');
  });

  it('limits set on a key through the admin API apply to it', async () => {
    const created = await post(h, '/admin/v1/keys', { name: 'api-limited', limits: { requests_per_minute: 2 } }, ADMIN);
    expect(created.status).toBe(201);
    expect(created.body.limits).toEqual({ requests_per_minute: 2 });
    const key = created.body.key as string;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(h, '/v1/messages', message('priced/priced-model'), key)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('a change of stored limits (the CLI: keys limits) reaches the running router', async () => {
    const created = await post(h, '/admin/v1/keys', { name: 'cli-limited' }, ADMIN);
    const key = created.body.key as string;
    expect((await post(h, '/v1/messages', message('priced/priced-model'), key)).status).toBe(200);
    // What `switchyard keys limits cli-limited --limit requests_per_minute=1` does, through another connection.
    const { SqliteStore } = await import('../../src/store/sqlite/index.js');
    const other = new SqliteStore(`${h.dataDir}/switchyard.db`);
    await other.setKeyLimits('cli-limited', { requests_per_minute: 1 });
    await other.close();
    await until('the ring has the new limits', () => (h.app.services.keys.authenticate(key)?.limits?.requests_per_minute === 1 ? true : undefined));
    // One request already in the window: the second one in this minute is refused.
    expect((await post(h, '/v1/messages', message('priced/priced-model'), key)).status).toBe(200);
    expect((await post(h, '/v1/messages', message('priced/priced-model'), key)).status).toBe(429);
  });
});
