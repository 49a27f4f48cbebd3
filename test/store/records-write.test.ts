import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { INSERT_ROWS, rowsPayload } from '../../src/store/postgres/insert-rows.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { SUMMARY_COLUMNS } from '../../src/store/query/record-row.js';
import { recordRow, ROW_COLUMNS } from '../../src/store/query/record-values.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import type { RequestRecord } from '../../src/telemetry/record.js';
import { Recorder } from '../../src/telemetry/recorder.js';
import { createTestDatabase, dropTestDatabases, postgresAvailable } from './pg.js';

/**
 * The record write path (src/store/query/record-values.ts, the backends' insert, migration 5's partial indexes)
 * against both backends.
 */
interface Backend {
  name: 'sqlite' | 'postgres';
  fresh(): Promise<string>;
  open(location: string): Promise<Store>;
  /** Creates the schema as of migration 4 (before the partial indexes), with `records` written as that version did. */
  seedV4(location: string, records: RequestRecord[]): Promise<void>;
  /** The definitions of the `requests` indexes, by name. */
  indexes(location: string): Promise<Record<string, string>>;
}

const backends: Array<{ backend: Backend; available: boolean }> = [
  {
    backend: {
      name: 'sqlite',
      fresh: async () => path.join(mkdtempSync(path.join(tmpdir(), 'sy-write-')), 'switchyard.db'),
      open: async (f) => new SqliteStore(f),
      async seedV4(file, records) {
        // As a file made by an earlier version: 4 KiB pages, migrations 1 to 4.
        const db = new Database(file);
        db.pragma('journal_mode = WAL');
        db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (4);');
        for (const sql of SQLITE_MIGRATIONS.slice(0, 4)) db.exec(sql);
        const insert = db.prepare(`INSERT INTO requests (${ROW_COLUMNS.join(', ')}) VALUES (${ROW_COLUMNS.map(() => '?').join(', ')})`);
        for (const r of records) insert.run(recordRow(r));
        db.close();
      },
      async indexes(file) {
        const db = new Database(file, { readonly: true });
        try {
          const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'requests' AND sql IS NOT NULL").all() as Array<{ name: string; sql: string }>;
          return Object.fromEntries(rows.map((r) => [r.name, r.sql]));
        } finally {
          db.close();
        }
      },
    },
    available: true,
  },
  {
    backend: {
      name: 'postgres',
      fresh: createTestDatabase,
      open: (url) => PostgresStore.open(url),
      async seedV4(url, records) {
        await withClient(url, async (c) => {
          await c.query('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (4);');
          for (const sql of POSTGRES_MIGRATIONS.slice(0, 4)) await c.query(sql);
          await c.query(INSERT_ROWS, [rowsPayload(records.map(recordRow))]);
        });
      },
      async indexes(url) {
        return withClient(url, async (c) => {
          const rows = (await c.query<{ indexname: string; indexdef: string }>("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'requests'")).rows;
          return Object.fromEntries(rows.map((r) => [r.indexname, r.indexdef]));
        });
      },
    },
    available: await postgresAvailable('Record writes: postgres'),
  },
];

afterAll(dropTestDatabases);

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);

/** What a successful anthropic→anthropic passthrough records (as bench/records-write.js builds it). */
function passthrough(id: string, time: number, extra: Partial<RequestRecord> = {}): RequestRecord {
  const usage = { input: 812, output: 64, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
  return {
    id,
    time,
    keyId: 'key_3f9a0c51d2e8b7a64c10',
    keyName: 'bench',
    api: 'anthropic',
    endpoint: 'messages',
    client: 'Anthropic/JS 0.52.0',
    requestedModel: 'claude-opus-4-8',
    model: 'anthropic/claude-opus-4-8',
    provider: 'anthropic',
    status: 200,
    errorClass: null,
    error: null,
    stream: false,
    stopReason: 'end_turn',
    usage,
    costUsd: 0.01378,
    overheadMs: 0.21,
    ttftMs: 41.27,
    generationMs: 17.45,
    durationMs: 58.93,
    attempts: [{ provider: 'anthropic', model: 'claude-opus-4-8', status: 200, success: true, errorClass: null, error: null, ttftMs: 41.27, durationMs: 58.72, keyId: 'key0', startMs: 0.21, usage, costUsd: 0.01378 }],
    routing: {
      kind: 'model',
      router: null,
      routeId: null,
      variantId: null,
      matchedExpression: null,
      celErrors: [],
      reasoning: null,
      auto: null,
      candidates: [{ provider: 'anthropic', model: 'claude-opus-4-8' }],
      passedOver: [],
    },
    metadata: null,
    bodies: null,
    ...extra,
  };
}

function routed(id: string, time: number, router: string, status = 200): RequestRecord {
  const r = passthrough(id, time, { status, errorClass: status >= 400 ? 'upstream' : null, error: status >= 400 ? 'boom' : null });
  r.routing = { ...r.routing!, kind: 'router', router, routeId: 'default', variantId: 'v1' };
  return r;
}

describe('record rows', () => {
  it('list the columns in the order the record queries select them', () => {
    const selected = SUMMARY_COLUMNS.split(',').map((c) => c.trim().replace(/"/g, ''));
    expect(ROW_COLUMNS).toEqual([...selected, 'request_body', 'response_body']);
  });

  it('hold primitives only, with the JSON columns as the JSON of the record values', () => {
    const r = passthrough('req_1', T0, { metadata: { tier: 'pro' }, bodies: { request: '{}', response: null }, stream: true });
    const row = recordRow(r);
    expect(row).toHaveLength(ROW_COLUMNS.length);
    expect(row.every((v) => v === null || typeof v === 'string' || typeof v === 'number')).toBe(true);
    const at = (c: (typeof ROW_COLUMNS)[number]) => row[ROW_COLUMNS.indexOf(c)];
    expect(at('stream')).toBe(1);
    expect(at('attempts')).toBe(JSON.stringify(r.attempts));
    expect(at('routing')).toBe(JSON.stringify(r.routing));
    expect(at('metadata')).toBe('{"tier":"pro"}');
    expect([at('request_body'), at('response_body')]).toEqual(['{}', null]);
  });
});

describe('PostgreSQL payload', () => {
  it('is the rows as JSON, rebuilt only when it holds a NUL or a lone surrogate, which become U+FFFD', () => {
    const ok = recordRow(passthrough('req_1', T0, { error: 'esc \u001b and C:\\users and \u{1F680}' }));
    expect(rowsPayload([ok])).toBe(JSON.stringify([ok]));
    const bad = passthrough('req_2', T0, { error: 'nul \0 lone \ud800 end' });
    bad.attempts[0].error = 'inner \0 nul';
    const back = JSON.parse(rowsPayload([recordRow(bad)])) as unknown[][];
    const at = (c: (typeof ROW_COLUMNS)[number]) => back[0][ROW_COLUMNS.indexOf(c)];
    expect(at('error')).toBe('nul \uFFFD lone \uFFFD end');
    expect(JSON.parse(at('attempts') as string)).toEqual([{ ...bad.attempts[0], error: 'inner \uFFFD nul' }]);
    expect(at('routing')).toBe(JSON.stringify(bad.routing));
  });
});

describe.each(backends)('record writes: $backend.name', ({ backend: b, available }) => {
  const open = async (location?: string): Promise<Store> => b.open(location ?? (await b.fresh()));

  it.runIf(available)('a passthrough record and one with awkward text read back as written (get and query)', async () => {
    const s = await open();
    try {
      const plain = passthrough('req_a', T0);
      // Control characters, a backslash before a `u`, a lone surrogate and NUL, in text and in JSON columns.
      const odd = passthrough('req_b', T0 + 1, {
        error: 'C:\\users\\x \u001b[31m red \ud83d tail',
        client: 'ua \\u0000 literal',
        metadata: { note: 'a\u0007b', path: 'C:\\u' },
      });
      odd.attempts[0].error = 'lone \udc00 and nul \0 here';
      await s.insertRecords([plain, odd]);
      expect(await s.getRecord('req_a')).toEqual(plain);
      const got = await s.getRecord('req_b');
      // SQLite keeps a NUL and reads a lone surrogate back as U+FFFD (one per byte better-sqlite3 wrote for it);
      // PostgreSQL stores one U+FFFD for either. Everything else is exact.
      const clean = (t: string | null | undefined) => t?.replace(/[\ud800-\udfff\0\uFFFD]+/g, '\uFFFD');
      expect(clean(got?.error)).toBe(clean(odd.error));
      expect(clean(got?.attempts[0].error)).toBe(clean(odd.attempts[0].error));
      expect(got?.client).toBe(odd.client);
      expect(got?.metadata).toEqual(odd.metadata);
      const page = await s.queryRecords({ q: 'literal' }, { limit: 10 });
      expect(page.records.map((r) => r.id)).toEqual(['req_b']);
      const { bodies: _bodies, ...summary } = plain;
      expect((await s.queryRecords({ provider: 'anthropic', status: 'ok' }, { limit: 10 })).records).toEqual([expect.objectContaining({ id: 'req_b' }), summary]);
    } finally {
      await s.close();
    }
  });

  it.runIf(available)('a record that cannot be serialised fails its batch; the recorder drops it alone and writes the rest', async () => {
    const s = await open();
    const recorder = new Recorder(s, pino({ level: 'silent' }), { flushIntervalMs: 60_000, queueLimit: 100 });
    try {
      const bad = passthrough('req_bad', T0);
      bad.attempts[0].costUsd = 10n as unknown as number; // JSON.stringify throws on a BigInt
      recorder.add(passthrough('req_1', T0));
      recorder.add(bad);
      recorder.add(passthrough('req_2', T0 + 1));
      await recorder.flush();
      expect(recorder.rejected).toBe(1);
      expect((await s.listRecords({ limit: 10 })).map((r) => r.id)).toEqual(['req_2', 'req_1']);
    } finally {
      await recorder.close(0);
      await s.close();
    }
  });

  it.runIf(available)('migration 5 makes the status and router indexes partial; every status and router filter still matches', async () => {
    const loc = await b.fresh();
    const old = [routed('req_r1', T0, 'coding'), routed('req_r2', T0 + 1, 'coding', 503), passthrough('req_p1', T0 + 2), passthrough('req_p2', T0 + 3, { status: 429 })];
    await b.seedV4(loc, old);
    const s = await open(loc);
    try {
      await s.insertRecords([routed('req_r3', T0 + 4, 'other', 500), passthrough('req_p3', T0 + 5, { status: 201 })]);
      const ids = async (filter: Parameters<Store['queryRecords']>[0]) => (await s.queryRecords(filter, { limit: 100 })).records.map((r) => r.id);
      expect(await ids({ status: 'error' })).toEqual(['req_r3', 'req_p2', 'req_r2']);
      expect(await ids({ status: '5xx' })).toEqual(['req_r3', 'req_r2']);
      expect(await ids({ status: '4xx' })).toEqual(['req_p2']);
      expect(await ids({ status: 503 })).toEqual(['req_r2']);
      expect(await ids({ status: 200 })).toEqual(['req_p1', 'req_r1']);
      expect(await ids({ status: '2xx' })).toEqual(['req_p3', 'req_p1', 'req_r1']);
      expect(await ids({ status: 'ok' })).toEqual(['req_p3', 'req_p1', 'req_r1']);
      expect(await ids({ router: 'coding' })).toEqual(['req_r2', 'req_r1']);
      expect(await ids({ router: 'routers/other', status: 'error' })).toEqual(['req_r3']);
      const agg = await s.aggregateRecords({ status: 'error', from: T0, to: T0 + 10 }, { bucketMs: 60_000, groupBy: 'router' });
      expect(agg.totals.requests).toBe(3);
      const idx = await b.indexes(loc);
      expect(idx.requests_status).toBeUndefined();
      expect(idx.requests_errors).toMatch(/WHERE \(?status >= 400\)?/);
      expect(idx.requests_router).toMatch(/WHERE \(?router IS NOT NULL\)?/);
    } finally {
      await s.close();
    }
  });
});

describe('PostgreSQL write path', () => {
  const available = backends[1]!.available;

  it.runIf(available)('migration 6 makes attempts JSON: records stored as JSONB read back as written, new ones keep their key order', async () => {
    const url = await createTestDatabase();
    const old = passthrough('req_old', T0);
    await backends[1]!.backend.seedV4(url, [old]);
    const s = await PostgresStore.open(url);
    try {
      const fresh = passthrough('req_new', T0 + 1);
      await s.insertRecords([fresh]);
      expect(await s.getRecord('req_old')).toEqual(old);
      expect(await s.getRecord('req_new')).toEqual(fresh);
      await withClient(url, async (c) => {
        const type = await c.query<{ data_type: string }>("SELECT data_type FROM information_schema.columns WHERE table_name = 'requests' AND column_name = 'attempts'");
        expect(type.rows[0]?.data_type).toBe('json');
        const text = await c.query<{ attempts: string }>("SELECT attempts::text AS attempts FROM requests WHERE id = 'req_new'");
        expect(text.rows[0]?.attempts).toBe(JSON.stringify(fresh.attempts));
      });
    } finally {
      await s.close();
    }
  });

  it.runIf(available)('COPY stores what INSERT ... ON CONFLICT stores, awkward text and numbers included; a stored id falls back to it and is replaced', async () => {
    const url = await createTestDatabase();
    const s = await PostgresStore.open(url);
    try {
      const records = (prefix: string) => [
        passthrough(`${prefix}_1`, T0),
        passthrough(`${prefix}_2`, T0 + 1.5, {
          client: 'tab\there, line\nbreak, cr\r\n, backslash \\N and a lone \\N',
          error: '\\N',
          keyName: '',
          metadata: { note: 'multi\nline\ttab \\ back', quote: '"q"' },
          usage: { input: 12.5, output: 13.5, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
          ttftMs: Number.NaN,
          stream: true,
        }),
        passthrough(`${prefix}_3`, T0 + 2, { error: 'nul \0 here', status: 503, errorClass: 'upstream' }),
      ];
      await s.insertRecords(records('copy'));
      await withClient(url, (c) => c.query(INSERT_ROWS, [rowsPayload(records('json').map(recordRow))]));
      for (const n of [1, 2, 3]) {
        const viaCopy = await s.getRecord(`copy_${n}`);
        const viaJson = await s.getRecord(`json_${n}`);
        expect(viaCopy).not.toBeNull();
        expect({ ...viaCopy, id: '' }).toEqual({ ...viaJson, id: '' });
      }
      const two = await s.getRecord('copy_2');
      expect([two?.client, two?.error, two?.keyName, two?.time, two?.ttftMs, two?.usage?.input, two?.stream]).toEqual([records('x')[1]!.client, '\\N', '', T0 + 2, null, 12, true]);

      // A batch holding one id already stored: the COPY fails on it, and the whole batch is written by the fallback.
      const again = passthrough('copy_2', T0 + 5, { status: 500, error: 'replaced' });
      await s.insertRecords([passthrough('copy_4', T0 + 4), again]);
      expect((await s.getRecord('copy_2'))?.error).toBe('replaced');
      expect(await s.getRecord('copy_4')).toEqual(passthrough('copy_4', T0 + 4));
      expect((await s.listRecords({ limit: 100 })).length).toBe(7);
    } finally {
      await s.close();
    }
  });
});

describe('SQLite write path', () => {
  it('the planner pages errors along the partial errors index and routers along the partial router index', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sy-write-')), 'switchyard.db');
    const s = new SqliteStore(file);
    await s.insertRecords([passthrough('req_1', T0), routed('req_2', T0 + 1, 'coding', 500)]);
    await s.close();
    const db = new Database(file, { readonly: true });
    try {
      const plan = (where: string, ...params: unknown[]) =>
        (db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM requests WHERE ${where} ORDER BY time DESC, id DESC LIMIT 50`).all(...params) as Array<{ detail: string }>)
          .map((r) => r.detail)
          .join('; ');
      // The conditions src/store/query/sql.ts writes for status 500, 5xx, error and a router.
      expect(plan('(status >= 400 AND status = ?)', 500)).toMatch(/requests_errors/);
      expect(plan('(status >= 400 AND status >= ? AND status < ?)', 500, 600)).toMatch(/requests_errors/);
      expect(plan('status >= 400')).toMatch(/requests_errors/);
      expect(plan('router = ?', 'coding')).toMatch(/requests_router/);
      expect(db.pragma('page_size', { simple: true })).toBe(16384);
    } finally {
      db.close();
    }
  });

  it('a file made with 4 KiB pages keeps them and is written and read as before', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sy-write-')), 'switchyard.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (0);');
    db.close();
    const s = new SqliteStore(file);
    const r = passthrough('req_1', T0);
    await s.insertRecords([r]);
    expect(await s.getRecord('req_1')).toEqual(r);
    await s.close();
    const check = new Database(file, { readonly: true });
    expect(check.pragma('page_size', { simple: true })).toBe(4096);
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
  });
});
