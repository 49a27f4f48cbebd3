export type { Store, ClientKey, NewClientKey, Permission } from './types.js';
export { SqliteStore } from './sqlite/index.js';
import path from 'node:path';
import type { Config } from '../config/index.js';
import type { Store } from './types.js';
import { SqliteStore } from './sqlite/index.js';

/** Opens the store the config names; SQLite in the data directory by default. */
export async function openStore(config: Config, dataDir: string): Promise<Store> {
  const storage = config.storage;
  if (storage && 'postgres' in storage) {
    throw new Error('storage.postgres: the PostgreSQL store is not available in this build yet; use storage.sqlite');
  }
  const file = storage && 'sqlite' in storage ? storage.sqlite : path.join(dataDir, 'switchyard.db');
  return new SqliteStore(file);
}
