import type { Catalog, CatalogModel } from '../catalog/index.js';

/** One candidate of auto selection: a catalog entry on a configured provider. */
export interface PoolEntry {
  provider: string;
  model: CatalogModel;
}

/**
 * Auto's candidate pool (SPEC section 4). Without `models`: every catalog model of every configured provider
 * (config-declared models are in the catalog through `Catalog.withOverrides`). With `models`, each entry is
 * - a configured provider name: all of that provider's catalog models;
 * - `provider/model` with a configured provider the catalog knows that model on (id or alias, case-insensitive);
 * - otherwise a bare id or alias (including ids that contain a slash, such as OpenRouter's `openai/gpt-5`): every
 *   configured provider whose catalog entry answers to it.
 * Entries that match nothing on a configured provider are returned in `unknown`. The pool keeps the order of
 * `models` (then catalog order) without duplicates.
 */
export function expandPool(catalog: Catalog, configuredProviders: readonly string[], models?: readonly string[]): { pool: PoolEntry[]; unknown: string[] } {
  const configured = new Set(configuredProviders);
  const pool: PoolEntry[] = [];
  const seen = new Set<CatalogModel>();
  const add = (m: CatalogModel): void => {
    if (seen.has(m)) return;
    seen.add(m);
    pool.push({ provider: m.provider, model: m });
  };
  if (models === undefined) {
    for (const p of configuredProviders) for (const m of catalog.forProvider(p)) add(m);
    return { pool, unknown: [] };
  }
  const unknown: string[] = [];
  for (const raw of models) {
    const name = raw.trim();
    if (!name) continue;
    if (configured.has(name)) {
      const list = catalog.forProvider(name);
      if (list.length === 0) unknown.push(raw);
      for (const m of list) add(m);
      continue;
    }
    const slash = name.indexOf('/');
    if (slash > 0 && configured.has(name.slice(0, slash))) {
      const m = catalog.get(name.slice(0, slash), name.slice(slash + 1));
      if (m) {
        add(m);
        continue;
      }
    }
    const hosts = catalog.providersFor(name).filter((m) => configured.has(m.provider));
    if (hosts.length === 0) unknown.push(raw);
    for (const m of hosts) add(m);
  }
  return { pool, unknown };
}
