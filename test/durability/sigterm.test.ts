/**
 * SIGTERM under load (issue 6, item 6): the real CLI stops accepting connections, lets in-flight requests and streams
 * finish, writes every record and exits 0 — with SQLite and with PostgreSQL storage.
 */
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../store/pg.js';
import { connectionRefused, readPostgres, readSqlite, sendMessage, sleep, startLoad, startRouter, writeConfig, type Outcome } from './helpers.js';

const CLIENTS = 12;
/** Answered after a long first token, so it is certainly in flight when SIGTERM arrives. */
const SLOW_MODEL = 'claude-haiku-4-5';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  // Every request takes a little while, so some are always in flight.
  sim.fault({ fault: { kind: 'latency', ms: 40 }, match: { model: 'claude-sonnet-4-6' } });
});
afterAll(async () => {
  await sim.close();
  await dropTestDatabases();
});

interface Run {
  ok: Extract<Outcome, { ok: true }>[];
  failed: Extract<Outcome, { ok: false }>[];
  slow: Outcome;
  refusedDuringDrain: boolean;
  signalledAt: number;
  exit: { code: number | null; signal: NodeJS.Signals | null };
  output: string;
}

async function sigtermUnderLoad(storageYaml: string): Promise<Run & { dataDir: string }> {
  const { configFile, dataDir } = writeConfig(sim.url, `${storageYaml}telemetry:\n  log_level: warn\n  records:\n    flush_interval: 200ms\nserver:\n  shutdown_grace: 15s\n`);
  const router = await startRouter(configFile, dataDir);
  let signalled = false;
  const load = startLoad(router.url, CLIENTS, { stopOnRefusal: () => signalled });
  await sleep(700);
  sim.fault({ fault: { kind: 'slow_first_token', ms: 2500 }, match: { model: SLOW_MODEL }, times: 1 });
  const slowAgent = new http.Agent({ keepAlive: false });
  const slow = sendMessage(router.url, slowAgent, true, SLOW_MODEL, 'slow stream');
  await sleep(800);
  signalled = true;
  const signalledAt = Date.now();
  router.child.kill('SIGTERM');
  // The slow stream keeps the drain open for ~2 s: long enough to see that the listener is already closed.
  await sleep(300);
  const refusedDuringDrain = await connectionRefused(router.port);
  const exit = await router.exited;
  await load.done;
  slowAgent.destroy();
  const outcomes = load.outcomes;
  return {
    dataDir,
    ok: outcomes.filter((o): o is Extract<Outcome, { ok: true }> => o.ok),
    failed: outcomes.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok),
    slow: await slow,
    refusedDuringDrain,
    signalledAt,
    exit,
    output: router.output(),
  };
}

function expectCleanDrain(run: Run): void {
  expect(run.exit, run.output).toEqual({ code: 0, signal: null });
  expect(run.refusedDuringDrain, 'a new connection during the drain must be refused').toBe(true);
  expect(run.slow.ok, JSON.stringify(run.slow)).toBe(true);
  // Enough traffic that SIGTERM really landed under load, streams and non-streams alike.
  expect(run.ok.length).toBeGreaterThan(CLIENTS * 2);
  expect(run.ok.some((o) => o.stream)).toBe(true);
  expect(run.ok.some((o) => !o.stream)).toBe(true);
  // A request the router had started answering must be finished, not cut; only requests that never reached it
  // (refused connection, idle keep-alive connection closed by the drain) may fail, and only after the signal.
  expect(run.failed.filter((f) => f.gotHeaders)).toEqual([]);
  for (const f of run.failed) expect(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'socket hang up']).toContain(f.error);
  // Draining answers with `Connection: close`, so a keep-alive client gets at most a request or two in after the signal
  // (one the router took before it saw the signal, one answered with close) instead of keeping the drain open.
  const servedAfterSignal = run.ok.filter((o) => o.sentAt > run.signalledAt).length;
  expect(servedAfterSignal).toBeLessThanOrEqual(2 * CLIENTS);
}

function expectAllRecorded(run: Run, stored: Map<string, { stream: boolean; endpoint: string }>): void {
  const answered = [...run.ok, ...(run.slow.ok ? [run.slow] : [])];
  const missing = answered.filter((o) => !stored.has(o.id)).map((o) => o.id);
  expect(missing, `${missing.length} of ${answered.length} answered requests have no record`).toEqual([]);
  for (const o of answered) expect(stored.get(o.id)).toEqual({ stream: o.stream, endpoint: 'messages' });
  // Nothing else was sent, so nothing else may be stored.
  expect(stored.size).toBe(answered.length);
}

describe('SIGTERM under load', () => {
  it('SQLite: stops accepting, finishes in-flight requests, writes every record, exits 0', async () => {
    const run = await sigtermUnderLoad('');
    expectCleanDrain(run);
    const { ids, integrity } = readSqlite(path.join(run.dataDir, 'switchyard.db'));
    expect(integrity).toBe('ok');
    expectAllRecorded(run, ids);
  }, 60_000);

  it('a stream still running at the shutdown_grace deadline is cut, and its record is written too', async () => {
    const { configFile, dataDir } = writeConfig(sim.url, `telemetry:\n  log_level: warn\nserver:\n  shutdown_grace: 500ms\n`);
    const router = await startRouter(configFile, dataDir);
    sim.fault({ fault: { kind: 'slow_first_token', ms: 5000 }, match: { model: SLOW_MODEL }, times: 1 });
    const agent = new http.Agent({ keepAlive: false });
    const cut = sendMessage(router.url, agent, true, SLOW_MODEL, 'longer than the grace');
    await sleep(500);
    router.child.kill('SIGTERM');
    const exit = await router.exited;
    const outcome = await cut;
    agent.destroy();
    expect(exit, router.output()).toEqual({ code: 0, signal: null });
    expect(outcome.ok).toBe(false);
    const db = new Database(path.join(dataDir, 'switchyard.db'), { readonly: true });
    const rows = db.prepare("SELECT requested_model, stream, status, error_class FROM requests WHERE endpoint = 'messages'").all();
    db.close();
    expect(rows).toEqual([{ requested_model: SLOW_MODEL, stream: 1, status: 499, error_class: 'client_closed' }]);
  }, 60_000);
});

const pgAvailable = await postgresAvailable('SIGTERM under load (PostgreSQL)');

describe.skipIf(!pgAvailable)('SIGTERM under load (PostgreSQL)', () => {
  it('PostgreSQL: stops accepting, finishes in-flight requests, writes every record, exits 0', async () => {
    const url = await createTestDatabase();
    const run = await sigtermUnderLoad(`storage:\n  postgres: ${url}\n`);
    expectCleanDrain(run);
    const { ids, count } = await readPostgres(url);
    expect(count).toBe(ids.size);
    expectAllRecorded(run, ids);
  }, 60_000);
});
