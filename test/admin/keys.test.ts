import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';
import { ADMIN_KEY, call, expectError, get, message, stored } from './support.js';

/** `/admin/v1/keys` (create, authenticate, revoke, usage) and `/admin/v1/stats`. */
let h: Harness;

interface KeyJson {
  id: string;
  name: string;
  prefix: string;
  permissions: string[];
  source: string;
  created_at: string;
  revoked_at: string | null;
  key?: string;
  usage?: { requests_30d: number; tokens_30d: number; cost_usd_30d: number; last_used_at: string | null };
}

const SONNET = 'claude-sonnet-4-6';

beforeAll(async () => {
  h = await startHarness({ auth: { admin_key: ADMIN_KEY } });
});
afterAll(async () => {
  await h.close();
});

const listKeys = async () => {
  const r = await get<{ data: KeyJson[] }>(h, '/admin/v1/keys');
  expect(r.status).toBe(200);
  return r.body.data;
};

describe('/admin/v1/keys', () => {
  it('create → the key authenticates at once → revoke → the next request gets 401', async () => {
    const created = await call<KeyJson>(h, 'POST', '/admin/v1/keys', { body: { name: 'ci', permissions: ['routers:write'] } });
    expect(created.status).toBe(201);
    const k = created.body;
    expect(k).toMatchObject({ name: 'ci', permissions: ['routers:write'], source: 'api', revoked_at: null });
    expect(k.key).toMatch(/^sk-sy-[0-9A-Za-z]{40}$/);
    expect(k.key!.startsWith(k.prefix)).toBe(true);
    expect(k.id).toMatch(/^key_/);
    expect(new Date(k.created_at).toISOString()).toBe(k.created_at);
    // Only the keyed hash is stored.
    const stored_ = (await h.app.services.store.listKeys()).find((x) => x.id === k.id)!;
    expect(stored_.hash).not.toContain(k.key!);
    expect(JSON.stringify(stored_)).not.toContain(k.key!);

    const ok = await message(h, { model: `anthropic/${SONNET}` }, { key: k.key! });
    expect(ok.status).toBe(200);
    // A routers:write key is still not an admin key.
    expectError(await get(h, '/admin/v1/keys', k.key!), 403, 'permission_error');

    const revoked = await call<KeyJson>(h, 'DELETE', `/admin/v1/keys/${k.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: k.id, name: 'ci' });
    expect(Date.parse(revoked.body.revoked_at!)).toBeGreaterThanOrEqual(Date.parse(k.created_at));
    expect(revoked.body).not.toHaveProperty('key');

    const denied = await message(h, { model: `anthropic/${SONNET}` }, { key: k.key! });
    expect(denied.status).toBe(401);
    expectError(await call(h, 'DELETE', `/admin/v1/keys/${k.id}`), 404, 'invalid_request_error');
    await stored(h, [ok.id, denied.id]);
    expect((await h.app.services.store.getRecord(ok.id))?.keyName).toBe('ci');
  });

  it('a key created with admin permission can use the admin API; revoking by name works', async () => {
    const created = await call<KeyJson>(h, 'POST', '/admin/v1/keys', { body: { name: 'ops-admin', permissions: ['admin', 'admin'] } });
    expect(created.status).toBe(201);
    expect(created.body.permissions).toEqual(['admin']);
    expect((await get(h, '/admin/v1/stats', created.body.key!)).status).toBe(200);
    expect((await call(h, 'DELETE', '/admin/v1/keys/ops-admin')).status).toBe(200);
    expectError(await get(h, '/admin/v1/stats', created.body.key!), 401, 'invalid_request_error');
  });

  it('lists every key, revoked ones too, with its usage over 30 days and never the key', async () => {
    const created = await call<KeyJson>(h, 'POST', '/admin/v1/keys', { body: { name: 'metered' } });
    expect(created.body.permissions).toEqual([]);
    const sent = [];
    for (let i = 0; i < 3; i++) sent.push(await message(h, { model: `anthropic/${SONNET}` }, { key: created.body.key! }));
    expect(sent.map((s) => s.status)).toEqual([200, 200, 200]);
    await stored(h, sent.map((s) => s.id));
    const records = await Promise.all(sent.map((s) => h.app.services.store.getRecord(s.id)));
    const tokens = records.reduce((n, r) => n + (r!.usage!.input + r!.usage!.output + r!.usage!.cacheRead + r!.usage!.cacheWrite), 0);
    expect(tokens).toBeGreaterThan(0);

    const keys = await listKeys();
    expect(keys.map((k) => k.name)).toEqual(['test-key', 'ci', 'ops-admin', 'metered']);
    for (const k of keys) {
      expect(Object.keys(k).sort()).toEqual(['created_at', 'id', 'limits', 'name', 'permissions', 'prefix', 'revoked_at', 'source', 'usage']);
    }
    const metered = keys.find((k) => k.name === 'metered')!;
    expect(metered.usage).toMatchObject({ requests_30d: 3, tokens_30d: tokens });
    expect(metered.usage!.cost_usd_30d).toBeCloseTo(records.reduce((n, r) => n + (r!.costUsd ?? 0), 0), 9);
    expect(metered.usage!.last_used_at).toBe(new Date(records[2]!.time).toISOString());
    expect(keys.find((k) => k.name === 'ci')).toMatchObject({ usage: { requests_30d: 2 } });
    expect(keys.filter((k) => k.revoked_at !== null).map((k) => k.name)).toEqual(['ci', 'ops-admin']);
    // Admin calls are requests too: its one GET /admin/v1/stats is on record, with no tokens.
    expect(keys.find((k) => k.name === 'ops-admin')!.usage).toMatchObject({ requests_30d: 1, tokens_30d: 0 });
  });

  it('400 for an invalid body, naming the field', async () => {
    expectError(await call(h, 'POST', '/admin/v1/keys', { body: { name: 'has space' } }), 400, 'invalid_request_error', 'name');
    expectError(await call(h, 'POST', '/admin/v1/keys', { body: { permissions: [] } }), 400, 'invalid_request_error', 'name');
    expectError(await call(h, 'POST', '/admin/v1/keys', { body: { name: 'x', permissions: ['root'] } }), 400, 'invalid_request_error', 'permissions.0');
    expectError(await call(h, 'POST', '/admin/v1/keys', { body: { name: 'x', colour: 'red' } }), 400, 'invalid_request_error');
    expectError(await call(h, 'POST', '/admin/v1/keys', { body: '{"name": ' }), 400, 'invalid_request_error');
    expectError(await call(h, 'POST', '/admin/v1/keys', { body: [] }), 400, 'invalid_request_error');
    expect((await listKeys()).map((k) => k.name)).not.toContain('x');
  });

  it('401 without or with a wrong key, 403 for a client key, 404 for an unknown key', async () => {
    expectError(await call(h, 'POST', '/admin/v1/keys', { key: null, body: { name: 'x' } }), 401, 'invalid_request_error');
    expectError(await call(h, 'POST', '/admin/v1/keys', { key: h.key, body: { name: 'x' } }), 403, 'permission_error');
    expectError(await call(h, 'DELETE', '/admin/v1/keys/test-key', { key: h.key }), 403, 'permission_error');
    expectError(await get(h, '/admin/v1/keys', 'sk-sy-unknown-000000000000000000'), 401, 'invalid_request_error');
    expectError(await call(h, 'DELETE', '/admin/v1/keys/key_nope'), 404, 'invalid_request_error');
    // The client key survived the attempt.
    expect((await message(h, { model: `anthropic/${SONNET}` })).status).toBe(200);
  });
});

describe('GET /admin/v1/stats', () => {
  it('reports live latency and throughput per provider and model from the traffic so far', async () => {
    const r = await get<{ data: Array<Record<string, unknown>>; window: Record<string, number> }>(h, '/admin/v1/stats');
    expect(r.status).toBe(200);
    expect(r.body.window).toEqual({ samples: 200, min_samples: 5, max_age_ms: 900_000 });
    const entry = r.body.data.find((e) => e.provider === 'anthropic' && e.model === SONNET);
    expect(entry).toBeDefined();
    expect(Object.keys(entry!).sort()).toEqual(['failures', 'model', 'provider', 'samples', 'throughput_p50_tokens_per_s', 'ttft_p50_ms']);
    // Every successful model request so far in this file: 1 (ci) + 3 (metered) + 1 (test-key).
    expect(entry!.samples).toBe(5);
    expect(entry!.ttft_p50_ms).toEqual(expect.any(Number));
    expectError(await get(h, '/admin/v1/stats', h.key), 403, 'permission_error');
  });
});
