import type { RequestRecord } from '../telemetry/record.js';

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
}

export interface NewClientKey {
  name: string;
  hash: string;
  prefix: string;
  permissions: Permission[];
  source: ClientKey['source'];
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
  ping(): Promise<void>;
  close(): Promise<void>;
}
