import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { ClientKey, NewClientKey, Permission, RouterPutResult, RouterWrite, Store, StoredRouter } from '../types.js';
import type { RequestRecord } from '../../telemetry/record.js';
import type { AggregateOptions, AggregateResult, KeyUsage, RecordFilter, RecordPage } from '../query/types.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { parseStoredLimits, type KeyLimitsInput } from '../../limits/schema.js';
import { aggregateSqlite, keyUsageSqlite, queryRecordsSqlite } from './records.js';
import { toRecord, type RequestRow } from './record-row.js';
import { recordRow, ROW_COLUMNS } from '../query/record-values.js';
import { newKeyId } from '../key-id.js';

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  permissions: string;
  source: ClientKey['source'];
  created_at: number;
  revoked_at: number | null;
  limits?: string | null;
}

interface RouterRow {
  id: string;
  json: string;
  version: number;
  source: StoredRouter['source'];
  created_at: number;
  updated_at: number;
}

function toRouter(r: RouterRow): StoredRouter {
  return { id: r.id, json: JSON.parse(r.json) as Record<string, unknown>, version: r.version, source: r.source, createdAt: r.created_at, updatedAt: r.updated_at };
}

function toKey(r: KeyRow): ClientKey {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    hash: r.hash,
    permissions: JSON.parse(r.permissions) as Permission[],
    source: r.source,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    limits: parseStoredLimits(r.limits),
  };
}

/** Records deleted per statement by `deleteRecordsBefore`. */
const DELETE_SLICE = 5000;

/** The embedded default store: one SQLite file in WAL mode. */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly insertMany: (records: RequestRecord[]) => void;

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    // 16 KiB pages for a new file (the default is 4 KiB): request records are appended in batches, and bigger pages
    // mean fewer WAL frames, checksums and write calls per record (~1.3 µs of ~10 µs per record in
    // bench/records-write.js). Without effect on an existing file: a database in WAL mode keeps its page size.
    this.db.pragma('page_size = 16384');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    // Positional parameters bound from the record's row (an array): cheaper than 34 named ones.
    const insert = this.db.prepare(`INSERT OR REPLACE INTO requests (${ROW_COLUMNS.join(', ')}) VALUES (${ROW_COLUMNS.map(() => '?').join(', ')})`);
    this.insertMany = this.db.transaction((records: RequestRecord[]) => {
      // Spread: better-sqlite3 reads call arguments directly, but an array's elements through generic lookups.
      for (const r of records) insert.run(...recordRow(r));
    });
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = this.db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    let version = row?.version ?? 0;
    if (!row) this.db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
    for (; version < SQLITE_MIGRATIONS.length; version++) {
      const sql = SQLITE_MIGRATIONS[version];
      this.db.transaction(() => {
        this.db.exec(sql);
        this.db.prepare('UPDATE schema_version SET version = ?').run(version + 1);
      })();
    }
  }

  async secret(): Promise<Buffer> {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'key_secret'").get() as { value: Buffer } | undefined;
    if (row) return row.value;
    this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('key_secret', ?)").run(randomBytes(32));
    return (this.db.prepare("SELECT value FROM meta WHERE key = 'key_secret'").get() as { value: Buffer }).value;
  }

  async listKeys(opts: { includeRevoked?: boolean } = {}): Promise<ClientKey[]> {
    const sql = opts.includeRevoked
      ? 'SELECT * FROM client_keys ORDER BY created_at, rowid'
      : 'SELECT * FROM client_keys WHERE revoked_at IS NULL ORDER BY created_at, rowid';
    return (this.db.prepare(sql).all() as KeyRow[]).map(toKey);
  }

  async insertKey(k: NewClientKey): Promise<ClientKey> {
    const row: KeyRow = {
      id: newKeyId(),
      name: k.name,
      prefix: k.prefix,
      hash: k.hash,
      permissions: JSON.stringify(k.permissions),
      source: k.source,
      created_at: Date.now(),
      revoked_at: null,
      limits: k.limits ? JSON.stringify(k.limits) : null,
    };
    this.db
      .prepare('INSERT INTO client_keys (id, name, prefix, hash, permissions, source, created_at, revoked_at, limits) VALUES (@id, @name, @prefix, @hash, @permissions, @source, @created_at, @revoked_at, @limits)')
      .run(row);
    return toKey(row);
  }

  async upsertConfigKey(k: NewClientKey): Promise<ClientKey> {
    const existing = this.db.prepare("SELECT * FROM client_keys WHERE name = ? AND source = 'config'").get(k.name) as KeyRow | undefined;
    if (existing) {
      this.db
        .prepare('UPDATE client_keys SET hash = ?, prefix = ?, permissions = ?, revoked_at = NULL WHERE id = ?')
        .run(k.hash, k.prefix, JSON.stringify(k.permissions), existing.id);
      return toKey(this.db.prepare('SELECT * FROM client_keys WHERE id = ?').get(existing.id) as KeyRow);
    }
    return this.insertKey(k);
  }

  async revokeKey(idOrName: string): Promise<ClientKey | null> {
    const row = this.db
      .prepare('SELECT * FROM client_keys WHERE (id = ? OR name = ?) AND revoked_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1')
      .get(idOrName, idOrName) as KeyRow | undefined;
    if (!row) return null;
    const now = Date.now();
    this.db.prepare('UPDATE client_keys SET revoked_at = ? WHERE id = ?').run(now, row.id);
    return toKey({ ...row, revoked_at: now });
  }

  async setKeyLimits(idOrName: string, limits: KeyLimitsInput | null): Promise<ClientKey | null> {
    const row = this.db
      .prepare('SELECT * FROM client_keys WHERE (id = ? OR name = ?) AND revoked_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1')
      .get(idOrName, idOrName) as KeyRow | undefined;
    if (!row) return null;
    const json = limits ? JSON.stringify(limits) : null;
    this.db.prepare('UPDATE client_keys SET limits = ? WHERE id = ?').run(json, row.id);
    return toKey({ ...row, limits: json });
  }

  async changeMarker(): Promise<number> {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  async listRouters(): Promise<StoredRouter[]> {
    return (this.db.prepare('SELECT * FROM routers ORDER BY id').all() as RouterRow[]).map(toRouter);
  }

  async getRouter(id: string): Promise<StoredRouter | null> {
    const row = this.db.prepare('SELECT * FROM routers WHERE id = ?').get(id) as RouterRow | undefined;
    return row ? toRouter(row) : null;
  }

  async putRouter(r: RouterWrite, opts: { expectVersion?: number } = {}): Promise<RouterPutResult> {
    // One transaction: the version check and the write cannot interleave with another writer (IMMEDIATE takes the
    // write lock before reading).
    const put = this.db.transaction((): RouterPutResult => {
      const current = this.db.prepare('SELECT * FROM routers WHERE id = ?').get(r.id) as RouterRow | undefined;
      if (opts.expectVersion !== undefined && (current?.version ?? 0) !== opts.expectVersion) return { ok: false, conflict: current ? toRouter(current) : null };
      const now = Date.now();
      const row: RouterRow = {
        id: r.id,
        json: JSON.stringify(r.json),
        version: (current?.version ?? 0) + 1,
        source: r.source,
        created_at: current?.created_at ?? now,
        updated_at: now,
      };
      this.db
        .prepare(
          `INSERT INTO routers (id, json, version, source, created_at, updated_at) VALUES (@id, @json, @version, @source, @created_at, @updated_at)
           ON CONFLICT(id) DO UPDATE SET json = excluded.json, version = excluded.version, source = excluded.source, updated_at = excluded.updated_at`,
        )
        .run(row);
      return { ok: true, router: toRouter(row) };
    });
    return put.immediate();
  }

  async deleteRouter(id: string): Promise<StoredRouter | null> {
    const del = this.db.transaction((): StoredRouter | null => {
      const row = this.db.prepare('SELECT * FROM routers WHERE id = ?').get(id) as RouterRow | undefined;
      if (!row) return null;
      this.db.prepare('DELETE FROM routers WHERE id = ?').run(id);
      return toRouter(row);
    });
    return del.immediate();
  }

  async insertRecords(records: RequestRecord[]): Promise<void> {
    if (records.length) this.insertMany(records);
  }

  async getRecord(id: string): Promise<RequestRecord | null> {
    const row = this.db.prepare('SELECT * FROM requests WHERE id = ?').get(id) as RequestRow | undefined;
    return row ? toRecord(row) : null;
  }

  async listRecords(opts: { limit: number }): Promise<RequestRecord[]> {
    return (this.db.prepare('SELECT * FROM requests ORDER BY time DESC, id DESC LIMIT ?').all(opts.limit) as RequestRow[]).map(toRecord);
  }

  async queryRecords(filter: RecordFilter, page: { limit: number; cursor?: string | null }): Promise<RecordPage> {
    return queryRecordsSqlite(this.db, filter, page);
  }

  async aggregateRecords(filter: RecordFilter, opts: AggregateOptions): Promise<AggregateResult> {
    return aggregateSqlite(this.db, filter, opts);
  }

  async keyUsage(sinceMs: number): Promise<KeyUsage[]> {
    return keyUsageSqlite(this.db, sinceMs);
  }

  async deleteRecordsBefore(timeMs: number): Promise<number> {
    // In slices, yielding between them: better-sqlite3 runs on the event loop and holds the write lock while it works,
    // so one huge DELETE would stall request handling and the recorder's writes.
    const del = this.db.prepare('DELETE FROM requests WHERE rowid IN (SELECT rowid FROM requests WHERE time < ? LIMIT ?)');
    let total = 0;
    for (;;) {
      if (!this.db.open) return total;
      const n = del.run(timeMs, DELETE_SLICE).changes;
      total += n;
      if (n < DELETE_SLICE) return total;
      await new Promise((r) => setImmediate(r));
    }
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
