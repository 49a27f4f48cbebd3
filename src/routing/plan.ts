import type { IncomingHttpHeaders } from 'node:http';
import type { Services } from '../app-types.js';
import type { Request } from '../formats/canonical/types.js';
import { estimateInputTokens, tokenizerFamilyFor } from '../formats/tokens/index.js';
import { expandPool, needsFromRequest, selectAuto, type AutoResult } from './auto/index.js';
import { hintsFromHeaders } from './hints.js';
import { candidatesForName, followAliases, type Candidate } from './resolve.js';
import {
  applyGenerationConfig,
  callerParams,
  decide,
  factsFromRequest,
  isNoRouteMatched,
  mergeGenerationConfig,
  parseSort,
  prependTemplates,
  renderTemplates,
  type SortCriterion,
  type Variant,
} from './routers/index.js';

export interface PlanInput {
  api: 'anthropic' | 'openai';
  model: string;
  req: Request;
  extensions: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  keyName: string | null;
  /** Compute every CEL fact (dry runs). */
  explain?: boolean;
}

export interface RoutingPlan {
  requested: string;
  router: {
    id: string;
    routeId: string | null;
    variantId: string | null;
    matchedExpression: string | null;
    celErrors: Array<{ routeId: string; expression: string; error: string }>;
    reason: string;
    inputs: Record<string, unknown>;
  } | null;
  auto: AutoResult | null;
  candidates: Candidate[];
  excluded: Array<{ provider: string; model: string; reason: string }>;
  /** One sentence for `metadata.reasoning`. */
  reasoning: string | null;
  /** The request after router templates and generation config (the same object when nothing changed). */
  req: Request;
  /** The chosen variant's `fallback` settings in the request form (`hedge_after`, ...), when it has any. */
  variantFallback: Record<string, unknown> | null;
}

export type PlanResult = { ok: true; plan: RoutingPlan } | { ok: false; status: number; type: string; message: string };

const ROUTER_NAME = /^(?:router|inworld)\/(.+)$/;

export function isRouterModel(name: string): boolean {
  return ROUTER_NAME.test(name);
}

function stringList(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/** The request's routing fields: body (`extra_body` already merged by ingress) over the `x-switchyard-route` header. */
function routingFields(input: PlanInput): { fields: Record<string, unknown>; metadata: Record<string, unknown>; error: string | null } {
  const hints = hintsFromHeaders(input.headers);
  const fields = { ...hints.route, ...input.extensions };
  const bodyMeta = input.extensions.metadata && typeof input.extensions.metadata === 'object' ? (input.extensions.metadata as Record<string, unknown>) : {};
  const routeMeta = hints.route.metadata && typeof hints.route.metadata === 'object' ? (hints.route.metadata as Record<string, unknown>) : {};
  return { fields, metadata: { ...hints.metadata, ...routeMeta, ...bodyMeta }, error: hints.error };
}

/** Applies `provider: {order, allow_fallbacks}` to one model's candidates. */
function applyProviderPrefs(cands: Candidate[], prefs: unknown): Candidate[] {
  if (!prefs || typeof prefs !== 'object') return cands;
  const p = prefs as { order?: unknown; allow_fallbacks?: unknown; allowFallbacks?: unknown };
  const order = stringList(p.order) ?? [];
  const allow = (p.allow_fallbacks ?? p.allowFallbacks) !== false;
  if (order.length === 0) return cands;
  const rank = (c: Candidate) => {
    const i = order.indexOf(c.provider.name);
    return i < 0 ? order.length : i;
  };
  const sorted = [...cands].sort((a, b) => rank(a) - rank(b));
  return allow ? sorted : sorted.filter((c) => order.includes(c.provider.name));
}

function isIgnored(c: Candidate, ignore: string[]): boolean {
  return ignore.includes(c.provider.name) || ignore.includes(`${c.provider.name}/${c.model}`);
}

/**
 * Decides where a request goes (SPEC sections 2 to 5): aliases, routers (CEL route, weighted or sticky variant,
 * templates, generation config), `auto` ranking, explicit models, fallback models, provider preferences and
 * `ignore`. Returns the ordered attempt chain and the reasons, without calling any provider.
 */
export function planRoute(svc: Services, input: PlanInput): PlanResult {
  const { fields, metadata, error } = routingFields(input);
  if (error) return { ok: false, status: 400, type: 'invalid_request_error', message: error };
  const name = followAliases(input.model, svc.config.aliases);
  if (name === null) return { ok: false, status: 400, type: 'invalid_request_error', message: `alias loop while resolving "${input.model}"` };
  const estimate = (r: Request) => estimateInputTokens(r, 'generic');

  let req = input.req;
  let router: RoutingPlan['router'] = null;
  let variant: Variant | null = null;
  const routerMatch = ROUTER_NAME.exec(name);
  if (routerMatch) {
    const found = svc.routers.get(routerMatch[1]);
    if (!found) return { ok: false, status: 404, type: 'not_found_error', message: `router "${routerMatch[1]}" does not exist. List routers with GET /router/v1/routers.` };
    const facts = factsFromRequest({ api: input.api, request: { ...req, model: input.model }, metadata, headers: input.headers as Record<string, string | string[] | undefined>, keyName: input.keyName, estimateInputTokens: estimate });
    const decision = decide(found.compiled, facts, { explain: input.explain });
    if (isNoRouteMatched(decision)) return { ok: false, status: 400, type: 'invalid_request_error', message: decision.error };
    variant = decision.variant;
    router = { id: routerMatch[1], routeId: decision.routeId, variantId: decision.variantId, matchedExpression: decision.matchedExpression, celErrors: decision.celErrors, reason: decision.reason, inputs: decision.inputs };
    const defaults = found.router.defaults;
    const templates = variant?.messageTemplates ?? defaults?.messageTemplates;
    if (templates?.length) {
      const rendered = renderTemplates(templates, (fields.prompt_variables as Record<string, string> | undefined) ?? {});
      req = prependTemplates(req, rendered.messages);
    }
    const merged = mergeGenerationConfig(defaults?.textGenerationConfig, variant?.textGenerationConfig, callerParams(req));
    req = applyGenerationConfig(req, merged);
  }

  // What to resolve: the variant's model or selection, or the request's own model and routing fields.
  const selection = variant?.modelSelection;
  const target = routerMatch ? (variant?.modelId ?? 'auto') : name;
  const models = routerMatch ? selection?.models : stringList(fields.models);
  const ignore = (routerMatch ? selection?.ignore : stringList(fields.ignore)) ?? [];
  const providerPrefs = routerMatch ? (selection?.provider ? { order: selection.provider.order, allow_fallbacks: selection.provider.allowFallbacks } : undefined) : fields.provider;
  let sort: SortCriterion[] | undefined = routerMatch ? selection?.sort : undefined;
  if (!routerMatch && fields.sort !== undefined) {
    const parsed = parseSort(fields.sort);
    if (!parsed.ok) return { ok: false, status: 400, type: 'invalid_request_error', message: `sort: ${parsed.errors.map((e) => `${e.path} ${e.message}`).join('; ')}` };
    sort = parsed.sort;
  }

  const excluded: RoutingPlan['excluded'] = [];
  let auto: AutoResult | null = null;
  let candidates: Candidate[] = [];
  let reasoning: string | null = router?.reason ?? null;
  const configured = svc.providers.list().map((p) => p.name);

  if (followAliases(target, svc.config.aliases) === 'auto') {
    const { pool, unknown } = expandPool(svc.catalog, configured, models);
    for (const u of unknown) excluded.push({ provider: '', model: u, reason: 'not served by any configured provider' });
    auto = selectAuto({ pool, ignore, sort, needs: needsFromRequest(req, (r) => estimateInputTokens(r, tokenizerFamilyFor('', r.model))), stats: svc.stats });
    excluded.push(...auto.excluded);
    for (const r of auto.ranked) {
      const provider = svc.providers.get(r.provider);
      if (provider) candidates.push({ provider, model: r.model, entry: svc.catalog.get(r.provider, r.model) });
    }
    reasoning = router ? `${router.reason} ${auto.reasoning}` : auto.reasoning;
  } else {
    const primary = followAliases(target, svc.config.aliases) ?? target;
    const chainNames = [primary, ...(models ?? []).filter((m) => m !== primary)];
    for (const n of chainNames) {
      const resolved = followAliases(n, svc.config.aliases) ?? n;
      const found = applyProviderPrefs(candidatesForName(resolved, svc.routing), providerPrefs);
      if (found.length === 0) excluded.push({ provider: '', model: n, reason: 'not served by any configured provider' });
      candidates.push(...found);
    }
  }

  const seen = new Set<string>();
  candidates = candidates.filter((c) => {
    const key = `${c.provider.name}/${c.model}`;
    if (seen.has(key)) return false;
    seen.add(key);
    if (isIgnored(c, ignore)) {
      excluded.push({ provider: c.provider.name, model: c.model, reason: 'ignored by the request' });
      return false;
    }
    return true;
  });
  if (candidates.length === 0) {
    const why = excluded.length ? ` (${excluded.slice(0, 5).map((e) => `${e.provider ? `${e.provider}/` : ''}${e.model}: ${e.reason}`).join('; ')})` : '';
    return { ok: false, status: 404, type: 'not_found_error', message: `no configured provider can serve "${input.model}"${why}. List the available models with GET /v1/models.` };
  }
  const vf = variant?.fallback;
  const variantFallback = vf
    ? Object.fromEntries(
        Object.entries({ hedge_after: vf.hedgeAfter, ttft_timeout: vf.ttftTimeout, idle_timeout: vf.idleTimeout, timeout: vf.timeout, max_attempts: vf.maxAttempts }).filter(([, v]) => v !== undefined),
      )
    : null;
  return { ok: true, plan: { requested: input.model, router, auto, candidates, excluded, reasoning, req, variantFallback } };
}
