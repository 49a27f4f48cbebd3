import type { Config } from '../config/index.js';
import type { ClientKey, Permission, Store } from '../store/index.js';
import { displayPrefix, generateKey, hashKey } from './keys.js';
import type { KeyLimitsInput } from '../limits/schema.js';

/** Creates a new random client key; the plaintext is returned once and never stored. */
export async function createClientKey(
  store: Store,
  name: string,
  permissions: Permission[] = [],
  source: ClientKey['source'] = 'cli',
  limits: KeyLimitsInput | null = null,
): Promise<{ key: string; record: ClientKey }> {
  const key = generateKey();
  const record = await store.insertKey({ name, hash: hashKey(await store.secret(), key), prefix: displayPrefix(key), permissions, source, limits });
  return { key, record };
}

/** Makes the keys declared in `auth.keys` exist (by name), storing only their hashes. */
export async function bootstrapConfigKeys(store: Store, config: Config): Promise<void> {
  const secret = await store.secret();
  for (const k of config.auth.keys) {
    await store.upsertConfigKey({ name: k.name, hash: hashKey(secret, k.key), prefix: displayPrefix(k.key), permissions: k.permissions, source: 'config' });
  }
}
