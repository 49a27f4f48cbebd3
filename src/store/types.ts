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
  insertRecords(records: RequestRecord[]): Promise<void>;
  getRecord(id: string): Promise<RequestRecord | null>;
  listRecords(opts: { limit: number }): Promise<RequestRecord[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
