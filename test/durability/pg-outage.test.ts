/**
 * A PostgreSQL outage does not fail requests (issue 6, item 6): records wait in the queue and are written once the
 * store is back, none lost, none duplicated.
 *
 * The outage is made with a TCP proxy between the router and the server rather than by stopping PostgreSQL: other
 * test files use the same server at the same time, and stopping it would fail them. Cutting the proxy (closing its
 * listener, destroying its sockets) shows the router exactly what a stopped server does: its pooled connections are
 * reset and new ones get ECONNREFUSED.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../store/pg.js';
import { logLines, readPostgres, sendMessage, sleep, startLoad, startRouter, waitFor, writeConfig, type Outcome } from './helpers.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const CLIENTS = 8;

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  sim.fault({ fault: { kind: 'latency', ms: 40 }, match: { model: 'claude-sonnet-4-6' } });
});
afterAll(async () => {
  await sim.close();
  await dropTestDatabases();
});

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
  if (!m) throw new Error(`${name} missing from /metrics`);
  return Number(m[1]);
}

const queueDepth = (url: string) => metric(url, 'switchyard_record_queue_depth');

/** Starts the router with its store behind a proxy that can be cut. */
async function routerBehindProxy(extraYaml: string) {
  const dbUrl = await createTestDatabase();
  const target = new URL(dbUrl);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.start();
  const viaProxy = new URL(dbUrl);
  viaProxy.port = String(proxy.port);
  const { configFile, dataDir } = writeConfig(sim.url, `storage:\n  postgres: ${viaProxy.toString()}\n${extraYaml}`);
  const router = await startRouter(configFile, dataDir);
  return { dbUrl, proxy, router };
}

const available = await postgresAvailable('PostgreSQL outage');

describe.skipIf(!available)('PostgreSQL outage', () => {
  it('requests keep succeeding, records queue up, and all of them are written once PostgreSQL is back', async () => {
    const { dbUrl, proxy, router } = await routerBehindProxy('telemetry:\n  log_level: info\n  records:\n    flush_interval: 200ms\n');
    try {
      // Before: traffic is recorded as usual.
      const before = startLoad(router.url, CLIENTS);
      await sleep(600);
      await before.stop();
      await waitFor('records written before the outage', async () => (await queueDepth(router.url)) === 0, 5000);
      expect((await fetch(`${router.url}/readyz`)).status).toBe(200);

      // During: PostgreSQL is unreachable.
      await proxy.cut();
      const during = startLoad(router.url, CLIENTS);
      await sleep(800);
      const ready = await fetch(`${router.url}/readyz`);
      const readyBody = (await ready.json()) as { status: string; error?: string; record_queue?: number };
      const depthMidOutage = await queueDepth(router.url);
      await sleep(1500);
      await during.stop();
      const duringOk = during.outcomes.filter((o): o is Extract<Outcome, { ok: true }> => o.ok);
      // Not one request may fail because the store is down.
      expect(during.outcomes.filter((o) => !o.ok)).toEqual([]);
      expect(duringOk.length).toBeGreaterThan(CLIENTS * 4);
      // Readiness says the store is unavailable, and why, while requests are still served.
      expect(ready.status).toBe(503);
      expect(readyBody.status).toBe('unavailable');
      expect(readyBody.error).toMatch(/ECONNREFUSED|connect|terminated/i);
      expect(readyBody.record_queue).toBeGreaterThan(0);
      // Every record of the outage is waiting in the queue: it grew, and holds all of them.
      const depthEnd = await waitFor('every outage record queued', async () => {
        const d = await queueDepth(router.url);
        return d >= duringOk.length ? d : null;
      }, 5000);
      expect(depthEnd).toBeGreaterThan(depthMidOutage);
      expect(depthEnd).toBe(duringOk.length);

      // After: the proxy listens again on the same port; the queue drains within a few seconds.
      await proxy.start();
      await waitFor('the record queue to drain', async () => (await queueDepth(router.url)) === 0, 15_000);
      const all = [...before.outcomes, ...during.outcomes].filter((o): o is Extract<Outcome, { ok: true }> => o.ok);
      const stored = await readPostgres(dbUrl);
      const missing = all.filter((o) => !stored.ids.has(o.id)).map((o) => o.id);
      expect(missing).toEqual([]);
      // One row per request answered, and nothing else: no record written twice or invented.
      expect(stored.count).toBe(all.length);
      expect(stored.ids.size).toBe(all.length);
      await waitFor('readiness to recover', async () => (await fetch(`${router.url}/readyz`)).status === 200, 10_000);

      // The outage is reported, not spammed: failures of the record writer and of the key and router refreshes are
      // logged when they start (and when they end), not on every retry of a 2-second outage.
      const out = router.output();
      expect(logLines(out, /writing records failed/).length).toBeLessThanOrEqual(2);
      expect(logLines(out, /router refresh failed/).length).toBeLessThanOrEqual(2);
      expect(logLines(out, /key refresh failed/).length).toBeLessThanOrEqual(2);
      expect(logLines(out, /records written again|store is back/).length).toBeGreaterThanOrEqual(1);
    } finally {
      router.child.kill('SIGTERM');
      const exit = await router.exited;
      await proxy.cut();
      expect(exit.code, router.output()).toBe(0);
    }
  }, 90_000);

  it('an outage longer than the queue holds: requests still succeed, the overflow is counted and logged, the rest is written', async () => {
    const { dbUrl, proxy, router } = await routerBehindProxy('telemetry:\n  log_level: info\n  records:\n    flush_interval: 100ms\n    queue_limit: 100\n');
    try {
      await proxy.cut();
      const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
      const outcomes = await Promise.all(Array.from({ length: 150 }, (_, i) => sendMessage(router.url, agent, i % 2 === 0)));
      agent.destroy();
      expect(outcomes.filter((o) => !o.ok)).toEqual([]);
      await waitFor('the overflow to be counted', async () => (await metric(router.url, 'switchyard_records_dropped_total')) === 50, 5000);
      expect(await queueDepth(router.url)).toBe(100);
      await proxy.start();
      await waitFor('the record queue to drain', async () => (await queueDepth(router.url)) === 0, 15_000);
      const stored = await readPostgres(dbUrl);
      expect(stored.count).toBe(100);
      // All 100 stored records are of these requests (a full queue refuses newcomers; it neither evicts nor invents).
      const okIds = outcomes.map((o) => (o.ok ? o.id : ''));
      expect(okIds.filter((id) => stored.ids.has(id)).length).toBe(100);
      const full = logLines(router.output(), /record queue full/);
      expect(full.length).toBe(1);
      expect(full[0]).toMatchObject({ level: 50, dropped: 1, queueLimit: 100 });
    } finally {
      router.child.kill('SIGTERM');
      const exit = await router.exited;
      await proxy.cut();
      expect(exit.code, router.output()).toBe(0);
    }
  }, 90_000);
});
