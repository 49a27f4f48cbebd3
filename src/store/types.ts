import type { RequestRecord } from '../telemetry/record.js';
import type { KeyLimitsInput } from '../limits/schema.js';
import type { AggregateOptions, AggregateResult, KeyUsage, RecordFilter, RecordPage } from './query/types.js';

export type { AggregateOptions, AggregateResult, AggregateRow, GroupBy, KeyUsage, RecordFilter, RecordPage, RecordSummary, StatusFilter } from './query/types.js';
export { InvalidQueryError } from './query/types.js';

export type Permission = 'routers:write' | 'admin';

export interface ClientKey {
  id: string;
  name: string;
  /** First characters of the key, safe to show (e.g. "sk-sy-AbC1"). */
  prefix: string;
  hash: string;
  permissions: Permission[];
  source: 'config' | 'cli' | 'api' | 'local';
  createdAt: number;
  revokedAt: number | null;
  /** Per-key limits stored with the key (CLI / API); null or absent: only the config's apply. */
  limits?: KeyLimitsInput | null;
}

export interface NewClientKey {
  name: string;
  hash: string;
  prefix: string;
  permissions: Permission[];
  source: ClientKey['source'];
  limits?: KeyLimitsInput | null;
}

export type RouterSource = 'api' | 'config';

/** A stored router: its API-form JSON (as `toApiJson` writes it) and a version that grows by one on every write. */
export interface StoredRouter {
  /** The `<id>` of `routers/<id>`. */
  id: string;
  json: Record<string, unknown>;
  version: number;
  /** `config`: declared in a config file (read-only through the API and CLI); `api`: written by the API or CLI. */
  source: RouterSource;
  createdAt: number;
  updatedAt: number;
}

/** What `putRouter` writes. */
export interface RouterWrite {
  id: string;
  json: Record<string, unknown>;
  source: RouterSource;
}

/**
 * `putRouter` outcome. With `expectVersion` the write happens only if the stored version is that one (0: the router
 * must not exist yet); otherwise `conflict` carries what is stored now (null: nothing).
 */
export type RouterPutResult = { ok: true; router: StoredRouter } | { ok: false; conflict: StoredRouter | null };

/** One storage backend (SQLite or PostgreSQL). Every method may be called concurrently with request handling. */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** A random per-installation secret used to key the client-key hashes. */
  secret(): Promise<Buffer>;
  listKeys(opts?: { includeRevoked?: boolean }): Promise<ClientKey[]>;
  insertKey(key: NewClientKey): Promise<ClientKey>;
  /** Inserts or updates a key declared in the config file (matched by name). */
  upsertConfigKey(key: NewClientKey): Promise<ClientKey>;
  /** Revokes by id or name; returns the revoked key or null when none matched. */
  revokeKey(idOrName: string): Promise<ClientKey | null>;
  /** Sets (null: clears) the stored limits of the active key with this id or name; null when none matched. */
  setKeyLimits(idOrName: string, limits: KeyLimitsInput | null): Promise<ClientKey | null>;
  /** A counter that changes whenever another connection commits; cheap to poll. */
  changeMarker(): Promise<number>;
  /** Every stored router, ordered by id. */
  listRouters(): Promise<StoredRouter[]>;
  getRouter(id: string): Promise<StoredRouter | null>;
  /** Inserts or replaces a router; the version becomes the stored one plus one (1 for a new router). */
  putRouter(router: RouterWrite, opts?: { expectVersion?: number }): Promise<RouterPutResult>;
  /** Deletes a router; returns what was deleted, or null when it did not exist. */
  deleteRouter(id: string): Promise<StoredRouter | null>;
  insertRecords(records: RequestRecord[]): Promise<void>;
  getRecord(id: string): Promise<RequestRecord | null>;
  listRecords(opts: { limit: number }): Promise<RequestRecord[]>;
  /**
   * Records matching `filter`, newest first (time, then id, descending), without their bodies. `cursor` is a previous
   * page's `nextCursor`; an invalid one throws `InvalidQueryError`.
   */
  queryRecords(filter: RecordFilter, page: { limit: number; cursor?: string | null }): Promise<RecordPage>;
  /** Counts, token and cost sums and latency percentiles per time bucket x group, plus totals over everything matched. */
  aggregateRecords(filter: RecordFilter, opts: AggregateOptions): Promise<AggregateResult>;
  /** Per client key id: requests, tokens and cost since `sinceMs`, and the time of its latest stored record. */
  keyUsage(sinceMs: number): Promise<KeyUsage[]>;
  /** Deletes the records older than `timeMs`; returns how many. */
  deleteRecordsBefore(timeMs: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
