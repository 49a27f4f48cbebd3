export type { Store, ClientKey, NewClientKey, Permission } from './types.js';
export type { AggregateRow, GroupBy, KeyUsage, RecordFilter, RecordSummary, StatusFilter } from './types.js';
export { InvalidQueryError } from './types.js';
import path from 'node:path';
import type { Config } from '../config/index.js';
import type { Store } from './types.js';
import { describePostgresUrl, isPostgresUrl } from './postgres/url.js';

/**
 * Opens the store the config names; SQLite in the data directory by default. A `postgres:` URL opens the shared
 * PostgreSQL store and runs its pending migrations. The URL may hold credentials: errors name it redacted.
 *
 * Each backend is imported here, when chosen, never at module load: `pg` costs ~6 MB of memory in a process that
 * never speaks to PostgreSQL (docs/decisions/0007-lazy-optional-modules.md). Code that needs a backend class itself
 * (tests, tools) imports it from `./sqlite/index.js` or `./postgres/index.js`.
 */
export async function openStore(config: Config, dataDir: string): Promise<Store> {
  const storage = config.storage;
  if (storage && 'postgres' in storage) {
    const url = storage.postgres;
    if (!isPostgresUrl(url)) throw new Error('storage.postgres: expected a URL of the form postgres://user:password@host:5432/database');
    try {
      const { PostgresStore } = await import('./postgres/index.js');
      return await PostgresStore.open(url);
    } catch (err) {
      // A new error without `cause`: some errors (an invalid URL) carry the input, credentials included.
      throw new Error(`storage.postgres: cannot open the PostgreSQL store at ${describePostgresUrl(url)}: ${(err as Error).message}`);
    }
  }
  const file = storage && 'sqlite' in storage ? storage.sqlite : path.join(dataDir, 'switchyard.db');
  const { SqliteStore } = await import('./sqlite/index.js');
  return new SqliteStore(file);
}
