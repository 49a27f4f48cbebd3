import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientKey } from '../../src/auth/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { createTestDatabase, dropTestDatabases, postgresAvailable } from './pg.js';

/**
 * Two router instances on one PostgreSQL database (SPEC section 8): records land there, and keys and routers written
 * by one instance or by another process (the CLI) take effect on every instance.
 */
const ADMIN = 'sy-admin-key-for-postgres-tests-0001';
const TEAM_KEY = 'sk-sy-team-key-declared-in-config-0001';
const available = await postgresAvailable('router instances on PostgreSQL');

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function message(h: Harness, key: string): Promise<Response> {
  return fetch(`${h.url}/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'user-agent': 'pg-integration/1.0' },
    body: JSON.stringify({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hello postgres' }] }),
  });
}

describe.skipIf(!available)('router instances on PostgreSQL', () => {
  let url: string;
  let a: Harness;
  let b: Harness;
  let direct: PostgresStore;
  let sim: Simulator;

  beforeAll(async () => {
    url = await createTestDatabase();
    const overrides = { storage: { postgres: url }, auth: { admin_key: ADMIN, keys: [{ name: 'team', key: TEAM_KEY }] } };
    // Both start at once on the empty database: migrations and the config key bootstrap must not race.
    sim = await startSimulator({ port: 0 });
    [a, b] = await Promise.all([startHarness(overrides, { sim }), startHarness(overrides, { sim })]);
    direct = await PostgresStore.open(url);
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await direct?.close();
    await sim?.close();
    await dropTestDatabases();
  });

  it('both instances use the PostgreSQL store', () => {
    expect(a.app.services.store.kind).toBe('postgres');
    expect(b.app.services.store.kind).toBe('postgres');
  });

  it("a request's record lands in PostgreSQL with its details", async () => {
    const r = await message(a, a.key);
    const body = await r.text();
    expect(r.status, body.slice(0, 300)).toBe(200);
    const id = r.headers.get('x-request-id')!;
    await a.flush();
    const rec = await direct.getRecord(id);
    expect(rec).toMatchObject({ id, keyName: 'test-key', api: 'anthropic', status: 200, provider: 'anthropic', client: 'pg-integration/1.0', stream: false });
    expect(rec!.attempts).toHaveLength(1);
    expect(rec!.attempts[0]).toMatchObject({ provider: 'anthropic', success: true, status: 200 });
    expect(rec!.usage?.input).toBeGreaterThan(0);
    expect(rec!.durationMs).toBeGreaterThan(0);
    expect((await direct.listRecords({ limit: 10 })).map((x) => x.id)).toContain(id);
  });

  it('the config key exists once and works on both instances', async () => {
    expect((await direct.listKeys()).filter((k) => k.name === 'team')).toHaveLength(1);
    for (const h of [a, b]) expect((await message(h, TEAM_KEY)).status).toBe(200);
  });

  it('a key created in the store by another process authenticates on both instances; revoking it locks it out', async () => {
    const { key } = await createClientKey(direct, 'from-cli');
    for (const h of [a, b]) {
      await until('the new key is accepted', async () => ((await message(h, key)).status === 200 ? true : undefined));
    }
    // The harness key of instance A was written by A: B learns of it through the store too.
    expect((await message(b, a.key)).status).toBe(200);
    expect(await direct.revokeKey('from-cli')).not.toBeNull();
    for (const h of [a, b]) {
      await until('the revoked key is refused', async () => ((await message(h, key)).status === 401 ? true : undefined));
    }
  });

  it('a router created through one instance is served by the other', async () => {
    const router = {
      displayName: 'Shared router',
      defaultRoute: { route_id: 'default', variants: [{ variant: { variant_id: 'haiku', model_id: 'anthropic/claude-haiku-4-5' }, weight: 100 }] },
    };
    const created = await fetch(`${a.url}/router/v1/routers?router_id=shared`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify(router),
    });
    expect(created.status, await created.text()).toBe(200);
    expect((await direct.getRouter('shared'))?.version).toBe(1);
    const got = await until('instance B serves the router', async () => {
      const r = await fetch(`${b.url}/router/v1/routers/shared`, { headers: { authorization: `Bearer ${ADMIN}` } });
      return r.status === 200 ? ((await r.json()) as { displayName: string }) : undefined;
    });
    expect(got.displayName).toBe('Shared router');
  });
});
