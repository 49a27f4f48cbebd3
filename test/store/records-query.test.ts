import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { InvalidQueryError, type AggregateRow, type RecordFilter } from '../../src/store/types.js';
import { percentileSorted } from '../../src/routing/stats/index.js';
import type { RequestRecord, TokenUsage } from '../../src/telemetry/record.js';
import { createTestDatabase, dropTestDatabases, postgresAvailable } from './pg.js';

/** The record queries (filters, keyset pages, aggregates, key usage, retention deletes) against both backends. */
interface Backend {
  name: 'sqlite' | 'postgres';
  fresh(): Promise<string>;
  open(location: string): Promise<Store>;
  /** Creates the schema as of migration 2 and writes one record in it the way that version did. */
  seedV2(location: string, id: string, time: number): Promise<void>;
}

const V2_INSERT = `INSERT INTO requests (id, "time", key_name, api, endpoint, client, requested_model, model, provider, status, error_class, error,
  stream, stop_reason, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, ttft_ms, overhead_ms, duration_ms, attempts)
  VALUES ('ID', TIME, 'old-key', 'anthropic', 'messages', 'cli', 'm', 'm', 'p', 200, NULL, NULL, STREAM, 'end_turn', 1, 2, 3, 4, 0, 5.5, 0.5, 10, '[]')`;

const backends: Array<{ backend: Backend; available: boolean }> = [
  {
    backend: {
      name: 'sqlite',
      fresh: async () => path.join(mkdtempSync(path.join(tmpdir(), 'sy-query-')), 'switchyard.db'),
      open: async (f) => new SqliteStore(f),
      async seedV2(file, id, time) {
        const db = new Database(file);
        db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (2);');
        db.exec(SQLITE_MIGRATIONS[0]);
        db.exec(SQLITE_MIGRATIONS[1]);
        db.exec(V2_INSERT.replace('ID', id).replace('TIME', String(time)).replace('STREAM', '1'));
        db.close();
      },
    },
    available: true,
  },
  {
    backend: {
      name: 'postgres',
      fresh: createTestDatabase,
      open: (url) => PostgresStore.open(url),
      async seedV2(url, id, time) {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          await c.query('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (2);');
          await c.query(POSTGRES_MIGRATIONS[0]);
          await c.query(POSTGRES_MIGRATIONS[1]);
          await c.query(V2_INSERT.replace('ID', id).replace('TIME', String(time)).replace('STREAM', 'true'));
        } finally {
          await c.end();
        }
      },
    },
    available: await postgresAvailable('Record queries: postgres'),
  },
];

afterAll(dropTestDatabases);

const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

interface Spec {
  at: number;
  key?: [id: string, name: string];
  api?: 'anthropic' | 'openai';
  requested?: string;
  model?: string;
  provider?: string;
  status?: number;
  route?: [router: string, route: string, variant: string];
  usage?: [input: number, output: number, cacheRead: number, cacheWrite: number, reasoning: number];
  cost?: number;
  duration: number;
  ttft?: number;
  client?: string;
  metadata?: Record<string, string>;
  error?: string;
}

function rec(id: string, s: Spec): RequestRecord {
  const usage: TokenUsage | null = s.usage ? { input: s.usage[0], output: s.usage[1], cacheRead: s.usage[2], cacheWrite: s.usage[3], reasoning: s.usage[4] } : null;
  return {
    id,
    time: s.at,
    keyId: s.key?.[0] ?? null,
    keyName: s.key?.[1] ?? null,
    api: s.api ?? 'anthropic',
    endpoint: 'messages',
    client: s.client ?? null,
    requestedModel: s.requested ?? null,
    model: s.model && s.provider ? `${s.provider}/${s.model}` : null,
    provider: s.provider ?? null,
    status: s.status ?? 200,
    errorClass: s.error ? 'upstream' : null,
    error: s.error ?? null,
    stream: false,
    stopReason: null,
    usage,
    costUsd: s.cost ?? null,
    overheadMs: 0.5,
    ttftMs: s.ttft ?? null,
    generationMs: null,
    durationMs: s.duration,
    attempts: s.model && s.provider ? [{ provider: s.provider, model: s.model, status: s.status ?? 200, success: (s.status ?? 200) < 400, errorClass: null, error: null, ttftMs: s.ttft ?? null, durationMs: s.duration }] : [],
    routing: s.route
      ? { kind: 'router', router: s.route[0], routeId: s.route[1], variantId: s.route[2], matchedExpression: null, celErrors: [], reasoning: null, auto: null, candidates: [], passedOver: [] }
      : null,
    metadata: s.metadata ?? null,
    bodies: { request: `{"id":"${id}"}`, response: null },
  };
}

const ALPHA: [string, string] = ['key_a', 'alpha'];
const BETA: [string, string] = ['key_b', 'beta'];
const SONNET = 'claude-sonnet-4-5';

/** Two hours of traffic whose aggregates are worked out by hand in the tests below. */
const DATA: RequestRecord[] = [
  rec('req_01', { at: T0 + 1 * MIN, key: ALPHA, requested: 'auto', model: SONNET, provider: 'anthropic', route: ['support', 'code', 'a'], usage: [100, 10, 0, 0, 0], cost: 0.01, duration: 100, ttft: 10, client: 'claude-cli/2.1', metadata: { tier: 'gold' } }),
  rec('req_02', { at: T0 + 2 * MIN, key: ALPHA, requested: SONNET, model: SONNET, provider: 'anthropic', usage: [200, 20, 50, 5, 0], cost: 0.02, duration: 200, ttft: 20, client: 'claude-cli/2.1' }),
  rec('req_03', { at: T0 + 3 * MIN, key: BETA, api: 'openai', requested: 'gpt-5', model: 'gpt-5', provider: 'openai', route: ['support', 'code', 'b'], usage: [300, 30, 0, 0, 7], cost: 0.03, duration: 300, ttft: 30, client: 'OpenAI/JS 6.1', metadata: { team: 'search 100%' } }),
  rec('req_04', { at: T0 + 4 * MIN, key: BETA, api: 'openai', requested: 'gpt-5', status: 429, duration: 5, client: 'OpenAI/JS 6.1', error: 'rate limited: try later' }),
  rec('req_05', { at: T0 + HOUR + 1 * MIN, key: ALPHA, requested: SONNET, model: SONNET, provider: 'bedrock', route: ['support', 'chat', 'a'], usage: [400, 40, 0, 0, 0], cost: 0.04, duration: 400, ttft: 40, client: 'claude-cli/2.1' }),
  rec('req_06', { at: T0 + HOUR + 2 * MIN, status: 401, duration: 1, client: 'curl/8', error: 'missing key' }),
  rec('req_07', { at: T0 + HOUR + 3 * MIN, key: BETA, api: 'openai', requested: 'gpt-5', model: 'gpt-5', provider: 'openai', status: 502, route: ['support', 'code', 'b'], duration: 900, client: 'OpenAI/JS 6.1', error: 'upstream exploded_fully' }),
];

function row(time: number, group: string | null, r: Partial<AggregateRow>): AggregateRow {
  return {
    time,
    group,
    requests: 0,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
    latencyP50Ms: null,
    latencyP95Ms: null,
    ttftP50Ms: null,
    ttftP95Ms: null,
    ...r,
  };
}

/** Floating sums and interpolations may differ in the last bits between the backends. */
function close(actual: AggregateRow[], expected: AggregateRow[]): void {
  expect(actual.map((r) => [r.time, r.group])).toEqual(expected.map((r) => [r.time, r.group]));
  actual.forEach((a, i) => {
    const e = expected[i];
    for (const k of Object.keys(e) as Array<keyof AggregateRow>) {
      if (typeof e[k] === 'number') expect(a[k], `${String(e.group)} @ ${e.time}: ${k}`).toBeCloseTo(e[k], 9);
      else expect(a[k], `${String(e.group)} @ ${e.time}: ${k}`).toBe(e[k]);
    }
  });
}

for (const { backend: b, available } of backends) {
  describe.skipIf(!available)(`Record queries: ${b.name}`, () => {
    const opened: Store[] = [];
    async function open(location?: string): Promise<Store> {
      const s = await b.open(location ?? (await b.fresh()));
      opened.push(s);
      return s;
    }
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    async function seeded(): Promise<Store> {
      const s = await open();
      await s.insertRecords(DATA);
      return s;
    }
    async function ids(s: Store, filter: RecordFilter): Promise<string[]> {
      return (await s.queryRecords(filter, { limit: 100 })).records.map((r) => r.id);
    }

    it('lists newest first without bodies; every filter narrows as documented', async () => {
      const s = await seeded();
      const all = await s.queryRecords({}, { limit: 100 });
      expect(all.nextCursor).toBeNull();
      expect(all.records.map((r) => r.id)).toEqual(['req_07', 'req_06', 'req_05', 'req_04', 'req_03', 'req_02', 'req_01']);
      const { bodies, ...summary } = DATA[0];
      expect(bodies).not.toBeNull();
      expect(all.records[6]).toStrictEqual(summary);

      expect(await ids(s, { from: T0 + 2 * MIN, to: T0 + HOUR + 2 * MIN })).toEqual(['req_05', 'req_04', 'req_03', 'req_02']);
      // Requested or served; a bare id matches the served model of any provider, provider/model that provider's.
      expect(await ids(s, { model: SONNET })).toEqual(['req_05', 'req_02', 'req_01']);
      expect(await ids(s, { model: 'auto' })).toEqual(['req_01']);
      expect(await ids(s, { model: 'gpt-5' })).toEqual(['req_07', 'req_04', 'req_03']);
      expect(await ids(s, { model: 'openai/gpt-5' })).toEqual(['req_07', 'req_03']);
      expect(await ids(s, { model: 'claude' })).toEqual([]);
      expect(await ids(s, { model: `anthropic/${SONNET}` })).toEqual(['req_02', 'req_01']);
      expect(await ids(s, { model: `bedrock/${SONNET}` })).toEqual(['req_05']);
      expect(await ids(s, { provider: 'openai' })).toEqual(['req_07', 'req_03']);
      expect(await ids(s, { key: 'alpha' })).toEqual(['req_05', 'req_02', 'req_01']);
      expect(await ids(s, { key: 'key_b' })).toEqual(['req_07', 'req_04', 'req_03']);
      for (const router of ['support', 'router/support', 'routers/support', 'inworld/support']) {
        expect(await ids(s, { router })).toEqual(['req_07', 'req_05', 'req_03', 'req_01']);
      }
      expect(await ids(s, { router: 'other' })).toEqual([]);
      expect(await ids(s, { status: 200 })).toEqual(['req_05', 'req_03', 'req_02', 'req_01']);
      expect(await ids(s, { status: '4xx' })).toEqual(['req_06', 'req_04']);
      expect(await ids(s, { status: '5xx' })).toEqual(['req_07']);
      expect(await ids(s, { status: 'ok' })).toEqual(['req_05', 'req_03', 'req_02', 'req_01']);
      expect(await ids(s, { status: 'error' })).toEqual(['req_07', 'req_06', 'req_04']);
      expect(await ids(s, { client: 'openai/js' })).toEqual(['req_07', 'req_04', 'req_03']);
      expect(await ids(s, { client: 'CLAUDE' })).toEqual(['req_05', 'req_02', 'req_01']);
      // Free text: error, metadata (case-insensitive), id, key name, route id; % and _ are literal.
      expect(await ids(s, { q: 'exploded_fully' })).toEqual(['req_07']);
      expect(await ids(s, { q: 'exploded%' })).toEqual([]);
      expect(await ids(s, { q: 'ex_loded' })).toEqual([]);
      expect(await ids(s, { q: '100%' })).toEqual(['req_03']);
      expect(await ids(s, { q: 'GOLD' })).toEqual(['req_01']);
      expect(await ids(s, { q: 'req_06' })).toEqual(['req_06']);
      expect(await ids(s, { q: 'beta' })).toEqual(['req_07', 'req_04', 'req_03']);
      expect(await ids(s, { q: 'chat' })).toEqual(['req_05']);
      expect(await ids(s, { q: 'bedrock' })).toEqual(['req_05']);
      expect(await ids(s, { key: 'beta', status: 'error' })).toEqual(['req_07', 'req_04']);
    });

    it('rejects what it cannot use with InvalidQueryError', async () => {
      const s = await seeded();
      await expect(s.queryRecords({ status: '6xx' as 'ok' }, { limit: 10 })).rejects.toBeInstanceOf(InvalidQueryError);
      await expect(s.queryRecords({}, { limit: 10, cursor: 'garbage' })).rejects.toBeInstanceOf(InvalidQueryError);
      await expect(s.queryRecords({}, { limit: 10, cursor: Buffer.from('["x","y"]').toString('base64url') })).rejects.toBeInstanceOf(InvalidQueryError);
      await expect(s.queryRecords({}, { limit: 0 })).rejects.toBeInstanceOf(InvalidQueryError);
      await expect(s.aggregateRecords({}, { bucketMs: 0, groupBy: 'none' })).rejects.toBeInstanceOf(InvalidQueryError);
      await expect(s.aggregateRecords({}, { bucketMs: HOUR, groupBy: 'colour' as 'none' })).rejects.toBeInstanceOf(InvalidQueryError);
    });

    it('pages by cursor through ties in time: every record once, in order, then null', async () => {
      const s = await open();
      // Three records per millisecond, ids not in insertion order.
      const many = Array.from({ length: 23 }, (_, i) => rec(`req_${String((i * 7) % 23).padStart(2, '0')}`, { at: T0 + Math.floor(i / 3), duration: i, status: i % 4 === 0 ? 500 : 200 }));
      await s.insertRecords(many);
      const expected = [...many].sort((x, y) => y.time - x.time || (x.id < y.id ? 1 : -1)).map((r) => r.id);
      for (const filter of [{}, { status: 'ok' as const }]) {
        const want = expected.filter((id) => !('status' in filter) || many.find((r) => r.id === id)?.status === 200);
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await s.queryRecords(filter, { limit: 4, cursor });
          expect(page.records.length).toBeLessThanOrEqual(4);
          seen.push(...page.records.map((r) => r.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== null && pages < 20);
        expect(seen).toEqual(want);
        expect(pages).toBe(Math.ceil(want.length / 4));
      }
      // A record that arrives while paging is newer than any cursor: the next pages neither repeat nor skip.
      const first = await s.queryRecords({}, { limit: 5 });
      await s.insertRecords([rec('req_zz', { at: T0 + 1000, duration: 1 })]);
      const second = await s.queryRecords({}, { limit: 100, cursor: first.nextCursor });
      expect([...first.records, ...second.records].map((r) => r.id)).toEqual(expected);
    });

    it('aggregates by hour x model, with totals', async () => {
      const s = await seeded();
      const { rows, totals } = await s.aggregateRecords({}, { bucketMs: HOUR, groupBy: 'model' });
      const H1 = T0 + HOUR;
      close(rows, [
        row(T0, null, { requests: 1, errors: 1, latencyP50Ms: 5, latencyP95Ms: 5 }),
        row(T0, `anthropic/${SONNET}`, { requests: 2, inputTokens: 300, outputTokens: 30, cacheReadTokens: 50, cacheWriteTokens: 5, costUsd: 0.03, latencyP50Ms: 150, latencyP95Ms: 195, ttftP50Ms: 15, ttftP95Ms: 19.5 }),
        row(T0, 'openai/gpt-5', { requests: 1, inputTokens: 300, outputTokens: 30, reasoningTokens: 7, costUsd: 0.03, latencyP50Ms: 300, latencyP95Ms: 300, ttftP50Ms: 30, ttftP95Ms: 30 }),
        row(H1, null, { requests: 1, errors: 1, latencyP50Ms: 1, latencyP95Ms: 1 }),
        row(H1, `bedrock/${SONNET}`, { requests: 1, inputTokens: 400, outputTokens: 40, costUsd: 0.04, latencyP50Ms: 400, latencyP95Ms: 400, ttftP50Ms: 40, ttftP95Ms: 40 }),
        row(H1, 'openai/gpt-5', { requests: 1, errors: 1, latencyP50Ms: 900, latencyP95Ms: 900 }),
      ]);
      // Durations 1 5 100 200 300 400 900: p50 the 4th, p95 at 5.7 (400 + 0.7 * 500); TTFTs 10 20 30 40.
      close([totals], [
        row(0, null, { requests: 7, errors: 3, inputTokens: 1000, outputTokens: 100, cacheReadTokens: 50, cacheWriteTokens: 5, reasoningTokens: 7, costUsd: 0.1, latencyP50Ms: 200, latencyP95Ms: 750, ttftP50Ms: 25, ttftP95Ms: 38.5 }),
      ]);
      // The filter applies to rows and totals alike; nothing matched gives no rows and zero totals.
      const alpha = await s.aggregateRecords({ key: 'alpha' }, { bucketMs: DAY, groupBy: 'none' });
      expect(alpha.rows.map((r) => [r.time, r.group, r.requests])).toEqual([[Date.UTC(2026, 0, 1), null, 3]]);
      expect(alpha.totals.requests).toBe(3);
      const none = await s.aggregateRecords({ key: 'nobody' }, { bucketMs: DAY, groupBy: 'model' });
      expect(none).toEqual({ rows: [], totals: row(0, null, {}) });
    });

    it('groups by provider, key, router, route, variant, status and api', async () => {
      const s = await seeded();
      const day = Date.UTC(2026, 0, 1);
      const groups = async (groupBy: Parameters<Store['aggregateRecords']>[1]['groupBy']) =>
        (await s.aggregateRecords({}, { bucketMs: DAY, groupBy })).rows.map((r) => [r.time, r.group, r.requests, r.errors]);
      expect(await groups('provider')).toEqual([[day, null, 2, 2], [day, 'anthropic', 2, 0], [day, 'bedrock', 1, 0], [day, 'openai', 2, 1]]);
      expect(await groups('key')).toEqual([[day, null, 1, 1], [day, 'alpha', 3, 0], [day, 'beta', 3, 2]]);
      expect(await groups('router')).toEqual([[day, null, 3, 2], [day, 'support', 4, 1]]);
      expect(await groups('route')).toEqual([[day, null, 3, 2], [day, 'support/chat', 1, 0], [day, 'support/code', 3, 1]]);
      expect(await groups('variant')).toEqual([[day, null, 3, 2], [day, 'support/chat/a', 1, 0], [day, 'support/code/a', 1, 0], [day, 'support/code/b', 2, 1]]);
      expect(await groups('status')).toEqual([[day, '200', 4, 0], [day, '401', 1, 1], [day, '429', 1, 1], [day, '502', 1, 1]]);
      expect(await groups('api')).toEqual([[day, 'anthropic', 4, 1], [day, 'openai', 3, 2]]);
    });

    it('percentiles equal linear interpolation over the sorted values, per cell and in totals', async () => {
      const s = await open();
      let seed = 7;
      const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const many = Array.from({ length: 90 }, (_, i) =>
        rec(`req_${String(i).padStart(3, '0')}`, { at: T0 + Math.floor(rand() * 3) * HOUR, model: rand() < 0.5 ? 'a' : 'b', provider: 'p', duration: Math.round(rand() * 10_000) / 10, ttft: rand() < 0.3 ? undefined : Math.round(rand() * 1000) / 10 }),
      );
      await s.insertRecords(many);
      const { rows, totals } = await s.aggregateRecords({}, { bucketMs: HOUR, groupBy: 'model' });
      const pct = (values: number[], p: number) => (values.length ? percentileSorted([...values].sort((x, y) => x - y), p) : null);
      const expectCell = (got: AggregateRow, cell: RequestRecord[]) => {
        const d = cell.map((r) => r.durationMs);
        const t = cell.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs]));
        expect(got.requests).toBe(cell.length);
        for (const [k, v] of [['latencyP50Ms', pct(d, 0.5)], ['latencyP95Ms', pct(d, 0.95)], ['ttftP50Ms', pct(t, 0.5)], ['ttftP95Ms', pct(t, 0.95)]] as const) {
          if (v === null) expect(got[k]).toBeNull();
          else expect(got[k]).toBeCloseTo(v, 9);
        }
      };
      expect(rows.length).toBe(6);
      for (const r of rows) expectCell(r, many.filter((m) => m.time === r.time && m.model === r.group));
      expect(rows.map((r) => r.group)).toContain('p/a');
      expectCell(totals, many);
    });

    it('keyUsage: requests, tokens and cost since a time per key id; last use over every stored record', async () => {
      const s = await open();
      const ka = await s.insertKey({ name: 'ka', hash: 'ha', prefix: 'p', permissions: [], source: 'api' });
      const kb = await s.insertKey({ name: 'kb', hash: 'hb', prefix: 'p', permissions: [], source: 'api' });
      await s.insertKey({ name: 'kc', hash: 'hc', prefix: 'p', permissions: [], source: 'api' });
      await s.insertRecords([
        rec('req_a_old', { at: T0, key: [ka.id, 'ka'], usage: [1, 1, 1, 1, 0], cost: 1, duration: 1 }),
        rec('req_a_new1', { at: T0 + 10 * DAY, key: [ka.id, 'ka'], usage: [100, 20, 3, 4, 5], cost: 0.5, duration: 1 }),
        rec('req_a_new2', { at: T0 + 11 * DAY, key: [ka.id, 'ka'], status: 401, duration: 1 }),
        rec('req_b_old', { at: T0 + DAY, key: [kb.id, 'kb'], usage: [9, 9, 9, 9, 0], cost: 9, duration: 1 }),
        rec('req_admin', { at: T0 + 12 * DAY, key: ['admin', 'admin'], usage: [1, 2, 0, 0, 0], duration: 1 }),
        rec('req_anon', { at: T0 + 12 * DAY, duration: 1 }),
      ]);
      const usage = await s.keyUsage(T0 + 5 * DAY);
      const byId = new Map(usage.map((u) => [u.keyId, u]));
      expect(byId.get(ka.id)).toEqual({ keyId: ka.id, requests: 2, tokens: 127, costUsd: 0.5, lastUsedAt: T0 + 11 * DAY });
      expect(byId.get(kb.id)).toEqual({ keyId: kb.id, requests: 0, tokens: 0, costUsd: 0, lastUsedAt: T0 + DAY });
      expect(byId.get('admin')).toEqual({ keyId: 'admin', requests: 1, tokens: 3, costUsd: 0, lastUsedAt: T0 + 12 * DAY });
      expect(usage).toHaveLength(3);
    });

    it('deleteRecordsBefore deletes only older records, in slices, and returns how many', async () => {
      const s = await open();
      const many = Array.from({ length: 12_001 }, (_, i) => rec(`req_${String(i).padStart(5, '0')}`, { at: T0 + i, duration: 1 }));
      await s.insertRecords(many);
      expect(await s.deleteRecordsBefore(T0 + 11_000)).toBe(11_000);
      expect(await s.deleteRecordsBefore(T0 + 11_000)).toBe(0);
      const left = await s.queryRecords({}, { limit: 1000 });
      expect(left.records).toHaveLength(1000);
      expect(left.records.at(-1)?.id).toBe('req_11001');
      const rest = await s.queryRecords({}, { limit: 1000, cursor: left.nextCursor });
      expect(rest.records.map((r) => r.id)).toEqual(['req_11000']);
      expect(rest.nextCursor).toBeNull();
    });

    it('migration 3 upgrades a database holding records of the earlier schema', async () => {
      const loc = await b.fresh();
      await b.seedV2(loc, 'req_old', T0);
      const s = await open(loc);
      expect(await s.getRecord('req_old')).toStrictEqual({
        id: 'req_old',
        time: T0,
        keyId: null,
        keyName: 'old-key',
        api: 'anthropic',
        endpoint: 'messages',
        client: 'cli',
        requestedModel: 'm',
        model: 'm',
        provider: 'p',
        status: 200,
        errorClass: null,
        error: null,
        stream: true,
        stopReason: 'end_turn',
        usage: { input: 1, output: 2, cacheRead: 3, cacheWrite: 4, reasoning: 0 },
        costUsd: null,
        overheadMs: 0.5,
        ttftMs: 5.5,
        generationMs: null,
        durationMs: 10,
        attempts: [],
        routing: null,
        metadata: null,
        bodies: null,
      });
      expect((await s.queryRecords({ key: 'old-key' }, { limit: 5 })).records.map((r) => r.id)).toEqual(['req_old']);
    });
  });
}
