import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import type { NewClientKey } from '../../src/store/types.js';
import type { RequestRecord } from '../../src/telemetry/record.js';
import { minimalRecord } from '../helpers/records.js';
import { createTestDatabase, dropTestDatabases, postgresAvailable } from './pg.js';

/**
 * The same cases against both backends: SQLite in a temporary file and PostgreSQL (the real server) in a database
 * created for each test.
 */
interface Backend {
  name: 'sqlite' | 'postgres';
  /** A new, empty place to open a store on (a file path or a database URL). */
  fresh(): Promise<string>;
  open(location: string): Promise<Store>;
}

const backends: Array<{ backend: Backend; available: boolean }> = [
  {
    backend: { name: 'sqlite', fresh: async () => path.join(mkdtempSync(path.join(tmpdir(), 'sy-store-')), 'switchyard.db'), open: async (f) => new SqliteStore(f) },
    available: true,
  },
  {
    backend: { name: 'postgres', fresh: createTestDatabase, open: (url) => PostgresStore.open(url) },
    available: await postgresAvailable('Store contract: postgres'),
  },
];

afterAll(dropTestDatabases);

function key(name: string, extra: Partial<NewClientKey> = {}): NewClientKey {
  return { name, hash: `hash-${name}-${Math.random().toString(36).slice(2)}`, prefix: 'sk-sy-AbCd', permissions: [], source: 'cli', ...extra };
}

function fullRecord(id: string, time: number, extra: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id,
    time,
    keyId: 'key_0123456789abcdef0123',
    keyName: 'team-a',
    api: 'anthropic',
    endpoint: '/v1/messages',
    client: 'claude-cli/2.1.0 (external, cli)',
    requestedModel: 'auto',
    model: 'claude-sonnet-4-5',
    provider: 'anthropic',
    status: 200,
    errorClass: null,
    error: null,
    stream: true,
    stopReason: 'end_turn',
    usage: { input: 1200, output: 345, cacheRead: 9000, cacheWrite: 512, cacheWrite1h: 256, reasoning: 77 },
    costUsd: 0.0123456789,
    overheadMs: 0.75,
    ttftMs: 123.456,
    generationMs: 2221.29,
    durationMs: 2345.5,
    attempts: [
      { provider: 'openai', model: 'gpt-5', status: 529, success: false, errorClass: 'overloaded', error: 'upstream said "overloaded" \\ retry', ttftMs: null, durationMs: 12.5, keyId: 'key1', startMs: 0.8, usage: null, costUsd: null },
      {
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        status: 200,
        success: true,
        errorClass: null,
        error: null,
        ttftMs: 120.25,
        durationMs: 2300,
        keyId: 'key0',
        startMs: 14.1,
        usage: { input: 1200, output: 345, cacheRead: 9000, cacheWrite: 512, cacheWrite1h: 256, reasoning: 77 },
        costUsd: 0.0123456789,
      },
    ],
    routing: {
      kind: 'router',
      router: 'support',
      routeId: 'long-context',
      variantId: 'b',
      matchedExpression: 'tokens > 1000 && metadata.tier == "gold"',
      celErrors: [{ routeId: 'broken', expression: 'nope(', error: 'syntax error' }],
      reasoning: 'route "long-context" matched, variant "b"',
      auto: {
        sort: ['price asc', 'ttft asc'],
        ranked: [{ provider: 'anthropic', model: 'claude-sonnet-4-5', rank: 1, priceUsd: 3, ttftMs: 400, throughput: 80.5, intelligence: null }],
      },
      candidates: [
        { provider: 'openai', model: 'gpt-5' },
        { provider: 'anthropic', model: 'claude-sonnet-4-5' },
      ],
      passedOver: [{ provider: 'gemini', model: 'gemini-2.5-pro', reason: 'ignored by the request' }],
    },
    // Keys in an order JSONB would not keep (it sorts by length, then bytes).
    metadata: { zeta_long_key: 'z', tier: 'gold', a: 'ünïcode "q"' },
    bodies: { request: '{"model":"auto","messages":[]}', response: 'event: message_start\ndata: {}\n\n' },
    ...extra,
  };
}

function sparseRecord(id: string, time: number): RequestRecord {
  return { ...minimalRecord(id), time, api: 'openai', endpoint: '/v1/chat/completions', requestedModel: null, status: 401, errorClass: 'auth', error: 'missing key', durationMs: 0.2 };
}

const tick = () => new Promise((r) => setTimeout(r, 3));

async function until(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const { backend: b, available } of backends) {
  describe.skipIf(!available)(`Store contract: ${b.name}`, () => {
    const opened: Store[] = [];
    async function open(location?: string): Promise<Store> {
      const s = await b.open(location ?? (await b.fresh()));
      opened.push(s);
      return s;
    }
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('reports its kind and answers ping; close twice is harmless', async () => {
      const s = await b.open(await b.fresh());
      expect(s.kind).toBe(b.name);
      await s.ping();
      await s.close();
      await s.close();
    });

    it('keys: insert, list in creation order, revoke by id and by name, revoked excluded', async () => {
      const s = await open();
      const a = await s.insertKey(key('alpha', { permissions: ['routers:write'] }));
      expect(a).toMatchObject({ name: 'alpha', prefix: 'sk-sy-AbCd', permissions: ['routers:write'], source: 'cli', revokedAt: null });
      expect(a.id).toMatch(/^key_[0-9a-f]{20}$/);
      expect(typeof a.createdAt).toBe('number');
      expect(Math.abs(a.createdAt - Date.now())).toBeLessThan(60_000);
      // A millisecond apart: SQLite orders keys by created_at alone, so keys created in one millisecond tie there.
      await tick();
      const b1 = await s.insertKey(key('beta'));
      await tick();
      const b2 = await s.insertKey(key('beta', { permissions: ['admin', 'routers:write'], source: 'api' }));
      await tick();
      const c = await s.insertKey(key('gamma'));
      expect((await s.listKeys()).map((k) => k.id)).toEqual([a.id, b1.id, b2.id, c.id]);
      expect(await s.listKeys()).toEqual([a, b1, b2, c]);

      const byId = await s.revokeKey(a.id);
      expect(byId).toMatchObject({ id: a.id, name: 'alpha' });
      expect(typeof byId?.revokedAt).toBe('number');
      expect(await s.revokeKey(a.id)).toBeNull();

      // By name: the newest active key of that name first.
      expect((await s.revokeKey('beta'))?.id).toBe(b2.id);
      expect((await s.listKeys()).map((k) => k.id)).toEqual([b1.id, c.id]);
      expect((await s.revokeKey('beta'))?.id).toBe(b1.id);
      expect(await s.revokeKey('beta')).toBeNull();
      expect(await s.revokeKey('nobody')).toBeNull();

      expect((await s.listKeys()).map((k) => k.id)).toEqual([c.id]);
      const all = await s.listKeys({ includeRevoked: true });
      expect(all.map((k) => k.id)).toEqual([a.id, b1.id, b2.id, c.id]);
      expect(all.find((k) => k.id === b2.id)).toMatchObject({ permissions: ['admin', 'routers:write'], source: 'api' });
      expect(all.filter((k) => k.revokedAt !== null).map((k) => k.id)).toEqual([a.id, b1.id, b2.id]);
    });

    it('keys: a duplicate hash is rejected', async () => {
      const s = await open();
      await s.insertKey(key('one', { hash: 'same-hash' }));
      await expect(s.insertKey(key('two', { hash: 'same-hash' }))).rejects.toThrow();
      expect((await s.listKeys()).map((k) => k.name)).toEqual(['one']);
    });

    it('keys: upsertConfigKey inserts, then updates the config key of that name in place and un-revokes it', async () => {
      const s = await open();
      const cli = await s.insertKey(key('ops'));
      await tick();
      const first = await s.upsertConfigKey(key('ops', { source: 'config', hash: 'h1', prefix: 'sk-sy-1111' }));
      expect(first.id).not.toBe(cli.id);
      expect(first).toMatchObject({ name: 'ops', source: 'config', hash: 'h1', revokedAt: null, permissions: [] });
      await s.revokeKey(first.id);
      const second = await s.upsertConfigKey(key('ops', { source: 'config', hash: 'h2', prefix: 'sk-sy-2222', permissions: ['admin'] }));
      expect(second).toEqual({ ...first, hash: 'h2', prefix: 'sk-sy-2222', permissions: ['admin'], revokedAt: null });
      // The CLI key of the same name is untouched.
      expect((await s.listKeys()).map((k) => [k.id, k.hash])).toEqual([
        [cli.id, cli.hash],
        [first.id, 'h2'],
      ]);
    });

    it('keys: two stores bootstrapping the same config key at once end with one key', async () => {
      const loc = await b.fresh();
      const [s1, s2] = await Promise.all([open(loc), open(loc)]);
      const k = key('shared', { source: 'config', hash: 'shared-hash' });
      const [r1, r2] = await Promise.all([s1.upsertConfigKey(k), s2.upsertConfigKey(k)]);
      expect(r1.id).toBe(r2.id);
      expect((await s1.listKeys({ includeRevoked: true })).map((x) => x.name)).toEqual(['shared']);
    });

    it('secret: 32 random bytes, stable across calls, reopen and concurrent stores', async () => {
      const loc = await b.fresh();
      const [s1, s2] = await Promise.all([open(loc), open(loc)]);
      const [x1, x2] = await Promise.all([s1.secret(), s2.secret()]);
      expect(Buffer.isBuffer(x1)).toBe(true);
      expect(x1.length).toBe(32);
      expect(x2.equals(x1)).toBe(true);
      expect((await s1.secret()).equals(x1)).toBe(true);
      await s1.close();
      const s3 = await open(loc);
      expect((await s3.secret()).equals(x1)).toBe(true);
      const other = await open();
      expect((await other.secret()).equals(x1)).toBe(false);
    });

    it('routers: versions writes, honours expectVersion, keeps createdAt, lists by id', async () => {
      const s = await open();
      const a = await s.putRouter({ id: 'a', json: { n: 1 }, source: 'api' }, { expectVersion: 0 });
      expect(a).toMatchObject({ ok: true, router: { id: 'a', version: 1, json: { n: 1 }, source: 'api' } });
      if (!a.ok) throw new Error('unreachable');
      expect(a.router.createdAt).toBe(a.router.updatedAt);
      expect(await s.putRouter({ id: 'a', json: { n: 2 }, source: 'api' }, { expectVersion: 0 })).toEqual({ ok: false, conflict: a.router });
      expect(await s.putRouter({ id: 'a', json: { n: 2 }, source: 'api' }, { expectVersion: 7 })).toEqual({ ok: false, conflict: a.router });
      expect(await s.putRouter({ id: 'zz', json: {}, source: 'api' }, { expectVersion: 3 })).toEqual({ ok: false, conflict: null });
      await new Promise((r) => setTimeout(r, 5));
      const b2 = await s.putRouter({ id: 'a', json: { n: 2 }, source: 'api' }, { expectVersion: 1 });
      expect(b2).toMatchObject({ ok: true, router: { version: 2, json: { n: 2 } } });
      if (!b2.ok) throw new Error('unreachable');
      expect(b2.router.createdAt).toBe(a.router.createdAt);
      expect(b2.router.updatedAt).toBeGreaterThan(a.router.updatedAt);
      // Without expectVersion: insert or replace, the version still grows, the source may change.
      const b3 = await s.putRouter({ id: 'a', json: { n: 3 }, source: 'config' });
      expect(b3).toMatchObject({ ok: true, router: { version: 3, source: 'config', createdAt: a.router.createdAt } });
      expect(await s.getRouter('a')).toEqual(b3.ok ? b3.router : null);
      expect(await s.putRouter({ id: 'b', json: {}, source: 'config' })).toMatchObject({ ok: true, router: { version: 1, source: 'config' } });
      // Byte order, as SQLite's BINARY collation: upper case before '_' before lower case.
      await s.putRouter({ id: 'B-upper', json: {}, source: 'api' });
      await s.putRouter({ id: '_under', json: {}, source: 'api' });
      expect((await s.listRouters()).map((r) => r.id)).toEqual(['B-upper', '_under', 'a', 'b']);
      expect(await s.deleteRouter('a')).toMatchObject({ id: 'a', version: 3, json: { n: 3 } });
      expect(await s.deleteRouter('a')).toBeNull();
      expect(await s.getRouter('a')).toBeNull();
      // A deleted router starts again at version 1.
      expect(await s.putRouter({ id: 'a', json: {}, source: 'api' }, { expectVersion: 0 })).toMatchObject({ ok: true, router: { version: 1 } });
    });

    it('routers: the JSON reads back exactly as written (values, nesting and key order)', async () => {
      const s = await open();
      const json = {
        name: 'routers/x',
        displayName: 'Ünïcode ✓ "quoted" \\ slash',
        routes: [{ route: { route_id: 'r', variants: [{ variant: { variant_id: 'v', model_id: 'm' }, weight: 100 }] }, condition: { cel_expression: 'a == "b"' } }],
        zeta: null,
        alpha: [1, 2.5, true, false, {}],
      };
      await s.putRouter({ id: 'x', json, source: 'api' });
      const got = await s.getRouter('x');
      expect(got?.json).toEqual(json);
      expect(JSON.stringify(got?.json)).toBe(JSON.stringify(json));
      expect(JSON.stringify((await s.listRouters())[0].json)).toBe(JSON.stringify(json));
    });

    it('routers: concurrent creates with expectVersion 0 from two stores: exactly one wins', async () => {
      const loc = await b.fresh();
      const [s1, s2] = await Promise.all([open(loc), open(loc)]);
      const results = await Promise.all([
        s1.putRouter({ id: 'race', json: { by: 1 }, source: 'api' }, { expectVersion: 0 }),
        s2.putRouter({ id: 'race', json: { by: 2 }, source: 'api' }, { expectVersion: 0 }),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const lost = results.find((r) => !r.ok);
      expect(lost).toMatchObject({ ok: false, conflict: { id: 'race', version: 1 } });
    });

    it('records: insert, get and list round trip every field', async () => {
      const s = await open();
      const t = Date.now();
      const full = fullRecord('req_full', t);
      const sparse = sparseRecord('req_sparse', t + 5);
      await s.insertRecords([full, sparse]);
      expect(await s.getRecord('req_full')).toEqual(full);
      expect(await s.getRecord('req_sparse')).toEqual(sparse);
      expect(await s.getRecord('req_missing')).toBeNull();
      // Attempts keep their field order.
      const got = await s.getRecord('req_full');
      expect(got?.attempts.map((a) => Object.keys(a))).toEqual(full.attempts.map((a) => Object.keys(a)));
      expect(JSON.stringify(got)).toBe(JSON.stringify(full));
      // Newest first, limited.
      expect(await s.listRecords({ limit: 10 })).toEqual([sparse, full]);
      expect((await s.listRecords({ limit: 1 })).map((r) => r.id)).toEqual(['req_sparse']);
      // Usage with zeros is not confused with no usage; an absent cacheWrite1h stays absent.
      const zero = fullRecord('req_zero', t - 5, { usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, costUsd: 0 });
      await s.insertRecords([zero]);
      expect((await s.getRecord('req_zero'))?.usage).toStrictEqual({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
      expect((await s.getRecord('req_zero'))?.costUsd).toBe(0);
      // Only one body captured: the other stays null, the pair is kept.
      const half = fullRecord('req_half', t - 6, { bodies: { request: '{}', response: null } });
      half.routing = half.routing && { ...half.routing, kind: 'auto', router: null, routeId: null, variantId: null };
      await s.insertRecords([half]);
      expect(await s.getRecord('req_half')).toEqual(half);
      await s.deleteRecordsBefore(t - 5);
      await s.insertRecords([]);
      expect((await s.listRecords({ limit: 10 })).map((r) => r.id)).toEqual(['req_sparse', 'req_full', 'req_zero']);
    });

    it('records: an id written again replaces the record, also within one batch (the last wins)', async () => {
      const s = await open();
      const t = Date.now();
      await s.insertRecords([fullRecord('req_a', t)]);
      await s.insertRecords([fullRecord('req_a', t, { status: 502, errorClass: 'upstream', usage: null })]);
      expect(await s.getRecord('req_a')).toMatchObject({ status: 502, errorClass: 'upstream', usage: null });
      await s.insertRecords([fullRecord('req_b', t, { status: 500 }), fullRecord('req_c', t), fullRecord('req_b', t, { status: 201 })]);
      expect((await s.getRecord('req_b'))?.status).toBe(201);
      expect((await s.listRecords({ limit: 10 })).map((r) => r.id).sort()).toEqual(['req_a', 'req_b', 'req_c']);
    });

    it('records: ties in time list the later request id first', async () => {
      const s = await open();
      const t = Date.now();
      await s.insertRecords([fullRecord('req_001', t), fullRecord('req_002', t), fullRecord('req_000', t - 1)]);
      expect((await s.listRecords({ limit: 10 })).map((r) => r.id)).toEqual(['req_002', 'req_001', 'req_000']);
    });

    it('records: a large batch and awkward text (NUL, quotes, unicode) are written', async () => {
      const s = await open();
      const t = Date.now();
      const many = Array.from({ length: 6001 }, (_, i) => fullRecord(`req_${String(i).padStart(5, '0')}`, t + i));
      await s.insertRecords(many);
      expect(await s.listRecords({ limit: 10_000 })).toHaveLength(6001);
      expect(await s.getRecord('req_03000')).toEqual(many[3000]);
      const odd = fullRecord('req_odd', t, {
        error: 'bad\0byte {"json": [1]} \'single\' "double" ✓ 🚀',
        attempts: [{ provider: 'p', model: 'm\0x', status: null, success: false, errorClass: 'network', error: 'a\0b', ttftMs: null, durationMs: 1 }],
      });
      await s.insertRecords([odd]);
      const got = await s.getRecord('req_odd');
      // SQLite keeps a NUL; PostgreSQL cannot store one and writes U+FFFD instead.
      expect(got?.error?.replace('\uFFFD', '\0')).toBe(odd.error);
      expect(got?.attempts[0].error?.replace('\uFFFD', '\0')).toBe('a\0b');
    });

    it('changeMarker changes after writes committed by another store on the same data', async () => {
      const loc = await b.fresh();
      const watcher = await open(loc);
      const writer = await open(loc);
      let m = await watcher.changeMarker();
      expect(typeof m).toBe('number');
      expect(await watcher.changeMarker()).toBe(m);

      const steps: Array<() => Promise<unknown>> = [
        () => writer.insertKey(key('k1')),
        () => writer.revokeKey('k1'),
        () => writer.upsertConfigKey(key('k2', { source: 'config' })),
        () => writer.putRouter({ id: 'r', json: {}, source: 'api' }),
        () => writer.putRouter({ id: 'r', json: { v: 2 }, source: 'api' }, { expectVersion: 1 }),
        () => writer.deleteRouter('r'),
      ];
      for (const step of steps) {
        await step();
        const before = m;
        await until(async () => (m = await watcher.changeMarker()) !== before);
      }
      expect((await watcher.listKeys()).map((k) => k.name)).toEqual(['k2']);
      expect(await watcher.listRouters()).toEqual([]);
    });

    it('migrations are idempotent: reopening keeps the data and the schema version', async () => {
      const loc = await b.fresh();
      const s1 = await open(loc);
      const k = await s1.insertKey(key('kept'));
      await s1.putRouter({ id: 'kept', json: { a: 1 }, source: 'api' });
      await s1.insertRecords([fullRecord('req_kept', Date.now())]);
      await s1.close();
      const s2 = await open(loc);
      await s2.close();
      const s3 = await open(loc);
      expect(await s3.listKeys()).toEqual([k]);
      expect((await s3.getRouter('kept'))?.version).toBe(1);
      expect((await s3.getRecord('req_kept'))?.id).toBe('req_kept');
      if (s3 instanceof PostgresStore) expect(await s3.schemaVersion()).toBe(POSTGRES_MIGRATIONS.length);
    });

    it('several stores opened at once on a fresh database all succeed (migrations serialised)', async () => {
      const loc = await b.fresh();
      const stores = await Promise.all([open(loc), open(loc), open(loc), open(loc)]);
      const secrets = await Promise.all(stores.map((s) => s.secret()));
      for (const x of secrets) expect(x.equals(secrets[0])).toBe(true);
      await stores[0].insertKey(key('seen'));
      for (const s of stores) expect((await s.listKeys()).map((k) => k.name)).toEqual(['seen']);
      for (const s of stores) if (s instanceof PostgresStore) expect(await s.schemaVersion()).toBe(POSTGRES_MIGRATIONS.length);
    });
  });
}
