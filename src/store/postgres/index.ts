import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { CustomTypesConfig, PoolClient, QueryResultRow } from 'pg';
import type { ClientKey, NewClientKey, Permission, RouterPutResult, RouterWrite, Store, StoredRouter } from '../types.js';
import type { RequestRecord } from '../../telemetry/record.js';
import type { AggregateOptions, AggregateResult, KeyUsage, RecordFilter, RecordPage } from '../query/types.js';
import { newKeyId } from '../key-id.js';
import { aggregatePostgres, keyUsagePostgres, queryRecordsPostgres } from './records.js';
import { SUMMARY_COLUMNS, toRecord, type RequestRow } from './record-row.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { parseStoredLimits, type KeyLimitsInput } from '../../limits/schema.js';
import { describePostgresUrl } from './url.js';
import { recordRow, type RecordRow } from '../query/record-values.js';
import { INSERT_ROWS, lastOfEachId, rowsPayload } from './insert-rows.js';
import { COPY_ROWS, copyPieces } from './copy-rows.js';

export { describePostgresUrl } from './url.js';
export { POSTGRES_MIGRATIONS } from './migrations.js';

/** `pg_advisory_xact_lock` key held while migrating ("SWYD" + 1), so instances starting together migrate one at a time. */
export const MIGRATION_LOCK_KEY = '1398233412001';
/** Namespace (first int4) of the per-name advisory lock `upsertConfigKey` takes; the second int4 is `hashtext(name)`. */
const CONFIG_KEY_LOCK_NS = 0x53594b31; // "SYK1"
/** Records deleted per statement by `deleteRecordsBefore`. */
const DELETE_SLICE = 10_000;
/** SQLSTATE of a duplicate key. */
const UNIQUE_VIOLATION = '23505';
/** Rows per INSERT statement when `insertRecords` falls back from COPY. */
const RECORD_CHUNK = 5000;

/** BIGINT columns (epoch ms, token counts, the change counter) come back as numbers, not strings: all stay below 2^53. */
const TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  permissions: Permission[];
  source: ClientKey['source'];
  created_at: number;
  revoked_at: number | null;
  limits: unknown;
}

interface RouterRow {
  id: string;
  json: Record<string, unknown>;
  version: number;
  source: StoredRouter['source'];
  created_at: number;
  updated_at: number;
}

const KEY_COLUMNS = 'id, name, prefix, hash, permissions, source, created_at, revoked_at, limits';
const ROUTER_COLUMNS = 'id, json, version, source, created_at, updated_at';
const RECORD_COLUMNS = `${SUMMARY_COLUMNS}, request_body, response_body`;

function toKey(r: KeyRow): ClientKey {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    hash: r.hash,
    permissions: r.permissions,
    source: r.source,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    limits: parseStoredLimits(r.limits),
  };
}

function toRouter(r: RouterRow): StoredRouter {
  return { id: r.id, json: r.json, version: r.version, source: r.source, createdAt: r.created_at, updatedAt: r.updated_at };
}

/** An integer for a BIGINT column (a fractional value would fail the batch); null stays null. */
function int(n: number | null | undefined): number | null {
  if (n === null || n === undefined) return null;
  return Number.isInteger(n) ? n : Number.isFinite(n) ? Math.round(n) : null;
}

function timeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export interface PostgresStoreOptions {
  /** Pool size (default 10). */
  max?: number;
  /** How long to wait for a connection (default 5000 ms); while PostgreSQL is down, calls fail after this. */
  connectTimeoutMs?: number;
  /** Errors of idle pooled connections (e.g. the server restarted); they are otherwise ignored: the pool reconnects. */
  onError?: (err: Error) => void;
}

/**
 * The shared store: PostgreSQL through a connection pool, for several instances on one database. Opened with
 * `PostgresStore.open`, which runs pending migrations first. The URL (which may carry credentials) is never kept
 * in anything printable: `description` is the redacted form.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  /** The URL without its password or query parameters, safe to log. */
  readonly description: string;
  private readonly pool: pg.Pool;
  private closed = false;

  private constructor(url: string, opts: PostgresStoreOptions) {
    this.description = describePostgresUrl(url);
    this.pool = new pg.Pool({
      connectionString: url,
      max: opts.max ?? 10,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      application_name: 'switchyard',
      types: TYPES,
    });
    // Without a listener an idle connection's error (server restart, network blip) would crash the process.
    this.pool.on('error', (err) => opts.onError?.(err));
  }

  /** Connects, runs pending migrations (under an advisory lock) and returns the store. */
  static async open(url: string, opts: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const store = new PostgresStore(url, opts);
    try {
      await store.migrate();
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
    return store;
  }

  /** The schema version now in the database. */
  async schemaVersion(): Promise<number> {
    const r = await this.pool.query<{ version: number }>('SELECT version FROM schema_version');
    return r.rows[0]?.version ?? 0;
  }

  private async migrate(): Promise<void> {
    await this.tx(async (c) => {
      // Transaction-scoped: released by COMMIT or ROLLBACK, even if this process dies mid-way.
      await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      await c.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const row = (await c.query<{ version: number }>('SELECT version FROM schema_version')).rows[0];
      let version = row?.version ?? 0;
      if (!row) await c.query('INSERT INTO schema_version (version) VALUES (0)');
      for (; version < POSTGRES_MIGRATIONS.length; version++) {
        await c.query(POSTGRES_MIGRATIONS[version]);
        await c.query('UPDATE schema_version SET version = $1', [version + 1]);
      }
    });
  }

  private async tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    let broken: Error | undefined;
    // The pool listens for errors of idle clients only; a checked-out client whose connection dies emits `error`
    // besides failing its query, and with no listener that is an uncaught exception that ends the process.
    const onError = (err: Error) => {
      broken = err;
    };
    c.on('error', onError);
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch((e: Error) => {
        broken = e;
      });
      throw err;
    } finally {
      c.off('error', onError);
      c.release(broken);
    }
  }

  private async rows<R extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>(sql, params)).rows;
  }

  async secret(): Promise<Buffer> {
    const get = "SELECT value FROM meta WHERE key = 'key_secret'";
    const found = await this.rows<{ value: Buffer }>(get);
    if (found[0]) return found[0].value;
    // Two instances may race here: the first insert wins and both read the winner.
    await this.pool.query("INSERT INTO meta (key, value) VALUES ('key_secret', $1) ON CONFLICT (key) DO NOTHING", [randomBytes(32)]);
    return (await this.rows<{ value: Buffer }>(get))[0].value;
  }

  async listKeys(opts: { includeRevoked?: boolean } = {}): Promise<ClientKey[]> {
    const where = opts.includeRevoked ? '' : 'WHERE revoked_at IS NULL';
    return (await this.rows<KeyRow>(`SELECT ${KEY_COLUMNS} FROM client_keys ${where} ORDER BY created_at, seq`)).map(toKey);
  }

  async insertKey(k: NewClientKey): Promise<ClientKey> {
    return toKey(await this.insertKeyWith((sql, params) => this.rows<KeyRow>(sql, params), k));
  }

  private async insertKeyWith(query: (sql: string, params: unknown[]) => Promise<KeyRow[]>, k: NewClientKey): Promise<KeyRow> {
    const rows = await query(
      `INSERT INTO client_keys (id, name, prefix, hash, permissions, source, created_at, revoked_at, limits)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, NULL, $8::jsonb) RETURNING ${KEY_COLUMNS}`,
      [newKeyId(), k.name, k.prefix, k.hash, JSON.stringify(k.permissions), k.source, Date.now(), k.limits ? JSON.stringify(k.limits) : null],
    );
    return rows[0];
  }

  async upsertConfigKey(k: NewClientKey): Promise<ClientKey> {
    // Instances starting together bootstrap the same config keys: a per-name lock makes it one insert, then updates.
    return this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [CONFIG_KEY_LOCK_NS, k.name]);
      const updated = await c.query<KeyRow>(
        `UPDATE client_keys SET hash = $1, prefix = $2, permissions = $3::jsonb, revoked_at = NULL
         WHERE id = (SELECT id FROM client_keys WHERE name = $4 AND source = 'config' ORDER BY created_at, seq LIMIT 1)
         RETURNING ${KEY_COLUMNS}`,
        [k.hash, k.prefix, JSON.stringify(k.permissions), k.name],
      );
      if (updated.rows[0]) return toKey(updated.rows[0]);
      return toKey(await this.insertKeyWith(async (sql, params) => (await c.query<KeyRow>(sql, params)).rows, k));
    });
  }

  async revokeKey(idOrName: string): Promise<ClientKey | null> {
    const rows = await this.rows<KeyRow>(
      `UPDATE client_keys SET revoked_at = $2
       WHERE id = (SELECT id FROM client_keys WHERE (id = $1 OR name = $1) AND revoked_at IS NULL ORDER BY created_at DESC, seq DESC LIMIT 1)
         AND revoked_at IS NULL
       RETURNING ${KEY_COLUMNS}`,
      [idOrName, Date.now()],
    );
    return rows[0] ? toKey(rows[0]) : null;
  }

  async setKeyLimits(idOrName: string, limits: KeyLimitsInput | null): Promise<ClientKey | null> {
    const rows = await this.rows<KeyRow>(
      `UPDATE client_keys SET limits = $2::jsonb
       WHERE id = (SELECT id FROM client_keys WHERE (id = $1 OR name = $1) AND revoked_at IS NULL ORDER BY created_at DESC, seq DESC LIMIT 1)
       RETURNING ${KEY_COLUMNS}`,
      [idOrName, limits ? JSON.stringify(limits) : null],
    );
    return rows[0] ? toKey(rows[0]) : null;
  }

  /**
   * The `change_log` counter: triggers bump it in every transaction that writes `client_keys` or `routers`, so it
   * changes when such a write commits, from this process or any other (records do not move it).
   */
  async changeMarker(): Promise<number> {
    return (await this.rows<{ counter: number }>('SELECT counter FROM change_log WHERE id = 1'))[0].counter;
  }

  async listRouters(): Promise<StoredRouter[]> {
    return (await this.rows<RouterRow>(`SELECT ${ROUTER_COLUMNS} FROM routers ORDER BY id`)).map(toRouter);
  }

  async getRouter(id: string): Promise<StoredRouter | null> {
    const rows = await this.rows<RouterRow>(`SELECT ${ROUTER_COLUMNS} FROM routers WHERE id = $1`, [id]);
    return rows[0] ? toRouter(rows[0]) : null;
  }

  async putRouter(r: RouterWrite, opts: { expectVersion?: number } = {}): Promise<RouterPutResult> {
    // Each case is one statement, so the version check and the write are atomic against other writers.
    const now = Date.now();
    const json = JSON.stringify(r.json);
    let rows: RouterRow[];
    if (opts.expectVersion === undefined) {
      rows = await this.rows<RouterRow>(
        `INSERT INTO routers (id, json, version, source, created_at, updated_at) VALUES ($1, $2::json, 1, $3, $4, $4)
         ON CONFLICT (id) DO UPDATE SET json = EXCLUDED.json, version = routers.version + 1, source = EXCLUDED.source, updated_at = EXCLUDED.updated_at
         RETURNING ${ROUTER_COLUMNS}`,
        [r.id, json, r.source, now],
      );
    } else if (opts.expectVersion === 0) {
      rows = await this.rows<RouterRow>(
        `INSERT INTO routers (id, json, version, source, created_at, updated_at) VALUES ($1, $2::json, 1, $3, $4, $4)
         ON CONFLICT (id) DO NOTHING RETURNING ${ROUTER_COLUMNS}`,
        [r.id, json, r.source, now],
      );
    } else {
      rows = await this.rows<RouterRow>(
        `UPDATE routers SET json = $2::json, version = version + 1, source = $3, updated_at = $4 WHERE id = $1 AND version = $5
         RETURNING ${ROUTER_COLUMNS}`,
        [r.id, json, r.source, now, opts.expectVersion],
      );
    }
    if (rows[0]) return { ok: true, router: toRouter(rows[0]) };
    return { ok: false, conflict: await this.getRouter(r.id) };
  }

  async deleteRouter(id: string): Promise<StoredRouter | null> {
    const rows = await this.rows<RouterRow>(`DELETE FROM routers WHERE id = $1 RETURNING ${ROUTER_COLUMNS}`, [id]);
    return rows[0] ? toRouter(rows[0]) : null;
  }

  /**
   * One COPY of all rows (./copy-rows.ts). COPY cannot replace a stored row: when an id is already stored (a batch
   * retried after its commit was not acknowledged, or a record written again), the COPY fails as a whole and the batch
   * is written again by INSERT ... ON CONFLICT, one statement per chunk of up to RECORD_CHUNK rows sent as one JSON
   * parameter (./insert-rows.ts), in one transaction. Either way a stored id is replaced, as SQLite's INSERT OR
   * REPLACE does, and within a batch the last record of an id wins.
   */
  async insertRecords(records: RequestRecord[]): Promise<void> {
    if (!records.length) return;
    const rows = lastOfEachId(records.map(recordRow));
    try {
      await this.copyRows(rows);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    }
    await this.tx(async (c) => {
      for (let i = 0; i < rows.length; i += RECORD_CHUNK) await c.query(INSERT_ROWS, [rowsPayload(rows.slice(i, i + RECORD_CHUNK))]);
    });
  }

  private async copyRows(rows: RecordRow[]): Promise<void> {
    const c = await this.pool.connect();
    try {
      await pipeline(Readable.from(copyPieces(rows)), c.query(copyFrom(COPY_ROWS)));
    } catch (err) {
      // Whatever state a failed COPY left the connection in, it is not given to the next query.
      c.release(true);
      throw err;
    }
    c.release();
  }

  async getRecord(id: string): Promise<RequestRecord | null> {
    const rows = await this.rows<RequestRow>(`SELECT ${RECORD_COLUMNS} FROM requests WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async listRecords(opts: { limit: number }): Promise<RequestRecord[]> {
    // Request ids are time-ordered, so `id` breaks ties in the order the requests arrived.
    return (await this.rows<RequestRow>(`SELECT ${RECORD_COLUMNS} FROM requests ORDER BY "time" DESC, id DESC LIMIT $1`, [opts.limit])).map(toRecord);
  }

  async queryRecords(filter: RecordFilter, page: { limit: number; cursor?: string | null }): Promise<RecordPage> {
    return queryRecordsPostgres(this.pool, filter, page);
  }

  async aggregateRecords(filter: RecordFilter, opts: AggregateOptions): Promise<AggregateResult> {
    return aggregatePostgres(this.pool, filter, opts);
  }

  async keyUsage(sinceMs: number): Promise<KeyUsage[]> {
    return keyUsagePostgres(this.pool, sinceMs);
  }

  async deleteRecordsBefore(timeMs: number): Promise<number> {
    // In slices, so no single transaction holds locks on (or bloats the WAL with) an unbounded number of rows.
    let total = 0;
    for (;;) {
      const r = await this.pool.query('DELETE FROM requests WHERE id IN (SELECT id FROM requests WHERE "time" < $1 LIMIT $2)', [int(timeMs), DELETE_SLICE]);
      const n = r.rowCount ?? 0;
      total += n;
      if (n < DELETE_SLICE) return total;
    }
  }

  /** `SELECT 1`, failing after `timeoutMs` (default 2000) whether the wait is for a connection or for the answer. */
  async ping(timeoutMs = 2000): Promise<void> {
    // `query_timeout` per query is supported by pg (client.js) but missing from its typings.
    const query = { text: 'SELECT 1', query_timeout: timeoutMs } as pg.QueryConfig;
    await timeout(this.pool.query(query), timeoutMs, 'PostgreSQL ping');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
