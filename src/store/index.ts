export type { Store, ClientKey, NewClientKey, Permission } from './types.js';
export type { AggregateRow, GroupBy, KeyUsage, RecordFilter, RecordSummary, StatusFilter } from './types.js';
export { InvalidQueryError } from './types.js';
export { SqliteStore } from './sqlite/index.js';
export { PostgresStore } from './postgres/index.js';
import path from 'node:path';
import type { Config } from '../config/index.js';
import type { Store } from './types.js';
import { SqliteStore } from './sqlite/index.js';
import { PostgresStore } from './postgres/index.js';
import { describePostgresUrl, isPostgresUrl } from './postgres/url.js';

/**
 * Opens the store the config names; SQLite in the data directory by default. A `postgres:` URL opens the shared
 * PostgreSQL store and runs its pending migrations. The URL may hold credentials: errors name it redacted.
 */
export async function openStore(config: Config, dataDir: string): Promise<Store> {
  const storage = config.storage;
  if (storage && 'postgres' in storage) {
    const url = storage.postgres;
    if (!isPostgresUrl(url)) throw new Error('storage.postgres: expected a URL of the form postgres://user:password@host:5432/database');
    try {
      return await PostgresStore.open(url);
    } catch (err) {
      // A new error without `cause`: some errors (an invalid URL) carry the input, credentials included.
      throw new Error(`storage.postgres: cannot open the PostgreSQL store at ${describePostgresUrl(url)}: ${(err as Error).message}`);
    }
  }
  const file = storage && 'sqlite' in storage ? storage.sqlite : path.join(dataDir, 'switchyard.db');
  return new SqliteStore(file);
}
