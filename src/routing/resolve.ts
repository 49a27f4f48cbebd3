import type { Provider, ProviderRegistry } from '../providers/registry.js';

/** One place a request can be sent: a model id as the provider knows it, on that provider. */
export interface Candidate {
  provider: Provider;
  model: string;
}

export type Resolution =
  | { ok: true; requested: string; resolved: string; candidates: Candidate[] }
  | { ok: false; requested: string; reason: string };

const MAX_ALIAS_HOPS = 8;

/**
 * Turns the `model` field into candidates: aliases first, then `provider/model`, then a bare id served by any
 * configured provider (explicit listings before id patterns).
 */
export function resolveModel(requested: string, registry: ProviderRegistry, aliases: Readonly<Record<string, string>>): Resolution {
  let name = requested;
  for (let hops = 0; Object.hasOwn(aliases, name); hops++) {
    if (hops >= MAX_ALIAS_HOPS) return { ok: false, requested, reason: `alias loop while resolving "${requested}"` };
    name = aliases[name];
  }
  const slash = name.indexOf('/');
  if (slash > 0) {
    const provider = registry.get(name.slice(0, slash));
    if (provider) return { ok: true, requested, resolved: name, candidates: [{ provider, model: name.slice(slash + 1) }] };
  }
  const serving = registry.servingBareId(name);
  if (serving.length > 0) return { ok: true, requested, resolved: name, candidates: serving.map((provider) => ({ provider, model: name })) };
  return { ok: false, requested, reason: `model "${requested}" is not served by any configured provider` };
}
