import { afterAll, afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { parseConfig } from '../../src/config/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { minimalRecord } from '../helpers/records.js';
import { PG_ADMIN_URL, createTestDatabase, dropTestDatabases, postgresAvailable } from './pg.js';

afterAll(dropTestDatabases);

function config(storage: { postgres: string }) {
  return parseConfig({ storage }, 'test', {});
}

describe('openStore with storage.postgres (no server needed)', () => {
  it('fails with the URL redacted when the server cannot be reached', async () => {
    const err = await openStore(config({ postgres: 'postgres://sy:hunter2-secret@127.0.0.1:1/switchyard?password=other-secret' }), '/nonexistent').then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err?.message).toMatch(/^storage\.postgres: cannot open the PostgreSQL store at postgres:\/\/sy:\*\*\*@127\.0\.0\.1:1\/switchyard: /);
    expect(JSON.stringify({ message: err?.message, stack: err?.stack, cause: err?.cause })).not.toMatch(/hunter2|other-secret/);
  });

  it('rejects a value that is not a postgres:// URL', async () => {
    await expect(openStore(config({ postgres: 'host=db password=hunter2' }), '/nonexistent')).rejects.toThrow(/storage\.postgres: expected a URL of the form postgres:\/\//);
  });
});

const available = await postgresAvailable('PostgreSQL store specifics');

describe.skipIf(!available)('PostgreSQL store specifics', () => {
  const opened: Store[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('openStore opens the PostgreSQL store for a postgres: URL and migrates it', async () => {
    const url = await createTestDatabase();
    const store = await openStore(config({ postgres: url }), '/nonexistent');
    opened.push(store);
    expect(store.kind).toBe('postgres');
    expect(store).toBeInstanceOf(PostgresStore);
    await store.ping();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const tables = (await c.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.t);
      expect(tables).toEqual(['change_log', 'client_keys', 'meta', 'requests', 'routers', 'schema_version']);
    } finally {
      await c.end();
    }
  });

  it('a schema other than public can be chosen in the URL (options=-c search_path=...)', async () => {
    const url = await createTestDatabase();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query('CREATE SCHEMA tenant_a');
      const u = new URL(url);
      u.search = '?options=' + encodeURIComponent('-c search_path=tenant_a');
      const store = await PostgresStore.open(u.toString());
      opened.push(store);
      const m0 = await store.changeMarker();
      await store.insertKey({ name: 'k', hash: 'h', prefix: 'p', permissions: [], source: 'cli' });
      expect(await store.changeMarker()).toBeGreaterThan(m0);
      const where = (await c.query<{ s: string }>("SELECT schemaname AS s FROM pg_tables WHERE tablename = 'client_keys'")).rows.map((r) => r.s);
      expect(where).toEqual(['tenant_a']);
    } finally {
      await c.end();
    }
  });

  it('the change marker moves on key and router writes (own ones too), not on records', async () => {
    const store = await PostgresStore.open(await createTestDatabase());
    opened.push(store);
    const m0 = await store.changeMarker();
    await store.insertRecords([{ ...minimalRecord('req_x'), api: 'openai', endpoint: '/v1/chat/completions', requestedModel: null, durationMs: 1 }]);
    expect(await store.changeMarker()).toBe(m0);
    await store.insertKey({ name: 'k', hash: 'h', prefix: 'p', permissions: [], source: 'cli' });
    const m1 = await store.changeMarker();
    expect(m1).toBeGreaterThan(m0);
    await store.putRouter({ id: 'r', json: {}, source: 'api' });
    expect(await store.changeMarker()).toBeGreaterThan(m1);
  });

  it('survives its connections being killed (as by a server restart) and reconnects', async () => {
    const url = await createTestDatabase();
    const errors: Error[] = [];
    const store = await PostgresStore.open(url, { onError: (e) => errors.push(e) });
    opened.push(store);
    await store.insertKey({ name: 'before', hash: 'h1', prefix: 'p', permissions: [], source: 'cli' });
    const db = new URL(url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db]);
      expect(killed.rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    await new Promise((r) => setTimeout(r, 200));
    // The idle connection's error went to onError instead of crashing the process; the next calls use new connections.
    expect(errors.length).toBeGreaterThan(0);
    await store.ping();
    expect((await store.listKeys()).map((k) => k.name)).toEqual(['before']);
  });

  it('ping fails after its timeout when no connection is free, and opening an unreachable server fails', async () => {
    const store = await PostgresStore.open(await createTestDatabase(), { max: 1 });
    opened.push(store);
    await store.ping(1000);
    // The only pooled connection is busy for 2 s: ping gives up after its own 300 ms.
    const sleeper = (store as unknown as { pool: pg.Pool }).pool.query('SELECT pg_sleep(2)');
    await new Promise((r) => setTimeout(r, 100));
    const t = Date.now();
    await expect(store.ping(300)).rejects.toThrow(/timed out after 300 ms/);
    expect(Date.now() - t).toBeLessThan(1500);
    await sleeper;
    await store.ping(1000);
    await expect(PostgresStore.open('postgres://postgres@127.0.0.1:1/none', { connectTimeoutMs: 500 })).rejects.toThrow();
  });
});
