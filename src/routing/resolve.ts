import type { Catalog, CatalogModel } from './catalog/index.js';
import type { Provider, ProviderRegistry } from '../providers/registry.js';

/** One place a request can be sent: a model id as the provider knows it, on that provider. */
export interface Candidate {
  provider: Provider;
  model: string;
  /** The catalog entry, when the catalog knows this (provider, model). */
  entry?: CatalogModel;
}

export type Resolution =
  | { ok: true; requested: string; resolved: string; candidates: Candidate[] }
  | { ok: false; requested: string; reason: string; suggestions: string[] };

/** What resolution needs to know besides the name. */
export interface ResolveContext {
  registry: ProviderRegistry;
  catalog: Catalog;
  aliases: Readonly<Record<string, string>>;
  /** Expected time to first token of (provider, model), for "fastest first" among several providers. */
  expectedTtftMs?: (provider: string, model: string, entry?: CatalogModel) => number;
}

const MAX_ALIAS_HOPS = 8;

/** Follows aliases to the name they stand for. */
export function followAliases(requested: string, aliases: Readonly<Record<string, string>>): string | null {
  let name = requested;
  for (let hops = 0; Object.hasOwn(aliases, name); hops++) {
    if (hops >= MAX_ALIAS_HOPS) return null;
    name = aliases[name];
  }
  return name;
}

/** Candidates for a concrete model name (`provider/model` or a bare id), fastest first for bare ids. */
export function candidatesForName(name: string, rc: ResolveContext): Candidate[] {
  const slash = name.indexOf('/');
  if (slash > 0) {
    const provider = rc.registry.get(name.slice(0, slash));
    if (provider) {
      const model = name.slice(slash + 1);
      const entry = rc.catalog.get(provider.name, model);
      return [{ provider, model: entry && !provider.demo ? entry.id : model, entry }];
    }
  }
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const add = (provider: Provider, model: string, entry?: CatalogModel) => {
    if (seen.has(provider.name)) return;
    seen.add(provider.name);
    out.push({ provider, model, entry });
  };
  // Providers that list the id in the config, then every configured provider the catalog says serves it.
  for (const p of rc.registry.list()) if (p.models.has(name)) add(p, name, rc.catalog.get(p.name, name));
  for (const entry of rc.catalog.providersFor(name)) {
    const p = rc.registry.get(entry.provider);
    if (p) add(p, entry.id, entry);
  }
  // Built-in id patterns (e.g. claude-* on Anthropic) for ids newer than the catalog; the demo provider serves anything.
  for (const p of rc.registry.servingBareId(name)) add(p, name, rc.catalog.get(p.name, name));
  if (rc.expectedTtftMs && out.length > 1) {
    const ttft = new Map(out.map((c) => [c, rc.expectedTtftMs!(c.provider.name, c.model, c.entry)]));
    out.sort((a, b) => ttft.get(a)! - ttft.get(b)!);
  }
  return out;
}

/**
 * Turns a concrete `model` field into candidates: aliases first, then `provider/model`, then a bare id served by any
 * configured provider. (`auto` and routers are planned by the caller before this.)
 */
export function resolveModel(requested: string, rc: ResolveContext): Resolution {
  const name = followAliases(requested, rc.aliases);
  if (name === null) return { ok: false, requested, reason: `alias loop while resolving "${requested}"`, suggestions: [] };
  const candidates = candidatesForName(name, rc);
  if (candidates.length > 0) return { ok: true, requested, resolved: name, candidates };
  const configured = new Set(rc.registry.list().map((p) => p.name));
  const suggestions = rc.catalog
    .closest(name, 20)
    .filter((s) => {
      const slash = s.indexOf('/');
      return slash > 0 ? configured.has(s.slice(0, slash)) : candidatesForName(s, rc).length > 0;
    })
    .slice(0, 5);
  return { ok: false, requested, reason: `model "${requested}" is not served by any configured provider`, suggestions };
}

/** The 404 message for an unresolvable model, with the closest matches. */
export function notFoundMessage(r: Extract<Resolution, { ok: false }>): string {
  const hint = r.suggestions.length ? ` Did you mean ${r.suggestions.map((s) => `"${s}"`).join(', ')}?` : '';
  return `${r.reason}.${hint} List the available models with GET /v1/models.`;
}
