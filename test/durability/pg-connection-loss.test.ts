/**
 * Losing the PostgreSQL connection must never crash the process: not for an idle pooled connection, and not for one
 * checked out for a transaction (node-postgres emits `error` on such a client, and an `error` event nobody listens to
 * is an uncaught exception). A TCP proxy makes the loss, for the reason given in pg-outage.test.ts.
 */
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../store/pg.js';
import { sleep } from './helpers.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

afterAll(dropTestDatabases);

const available = await postgresAvailable('PostgreSQL connection loss');

describe.skipIf(!available)('PostgreSQL connection loss', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
  });

  async function storeViaProxy(): Promise<{ store: PostgresStore; proxy: TcpProxy; url: string }> {
    const url = await createTestDatabase();
    const target = new URL(url);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    cleanup.push(() => proxy.cut());
    const via = new URL(url);
    via.port = String(proxy.port);
    const errors: Error[] = [];
    const store = await PostgresStore.open(via.toString(), { connectTimeoutMs: 2000, onError: (e) => errors.push(e) });
    cleanup.push(() => store.close());
    return { store, proxy, url };
  }

  it('an idle pooled connection that dies is dropped, and the pool reconnects when the server is back', async () => {
    const { store, proxy } = await storeViaProxy();
    await store.ping();
    expect(proxy.connections).toBeGreaterThan(0);
    await proxy.cut();
    await sleep(200);
    await expect(store.ping()).rejects.toThrow();
    await proxy.start();
    await store.ping();
  });

  it('a connection lost inside a transaction fails that call only', async () => {
    const { store, proxy, url } = await storeViaProxy();
    // Another session holds the per-name lock upsertConfigKey takes, so its transaction waits inside a query while
    // its client is checked out of the pool: exactly when the connection is cut.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    cleanup.push(() => holder.end());
    await holder.query('SELECT pg_advisory_lock($1, hashtext($2))', [0x53594b31, 'held']);
    const pending = store.upsertConfigKey({ name: 'held', hash: 'h', prefix: 'sk-sy-held', permissions: [], source: 'config' });
    const settled = pending.then(
      () => 'resolved',
      (e: unknown) => (e as Error).message,
    );
    await sleep(300);
    await proxy.cut();
    expect(await settled).toMatch(/terminated|ECONNRESET|closed/i);
    // Let any late `error` event surface: vitest fails the run on an uncaught exception.
    await sleep(200);
    await holder.query('SELECT pg_advisory_unlock_all()');
    await proxy.start();
    const key = await store.upsertConfigKey({ name: 'held', hash: 'h', prefix: 'sk-sy-held', permissions: [], source: 'config' });
    expect(key.name).toBe('held');
  });
});
