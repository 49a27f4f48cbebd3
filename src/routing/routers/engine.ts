/**
 * Router evaluation (SPEC section 3): routes in order, the first whose condition is true wins, else `defaultRoute`,
 * else the "No route matched" error; inside the route a variant by weight, sticky per user.
 */
import { compileCel, evalCondition, type CompiledCel } from './cel-loader.js';
import { celInputs, type RequestFacts } from './facts.js';
import { stickyIndex, weightedIndex } from './sticky.js';
import { routerId } from './schema.js';
import type { Route, Router, Variant } from './types.js';

export const NO_ROUTE_MATCHED = 'No route matched. Configure a default route or adjust conditions.';

export interface CompiledRoute {
  route: Route;
  condition: CompiledCel;
}

export interface CompiledRouter {
  router: Router;
  /** `<id>` of `routers/<id>`. */
  id: string;
  routes: CompiledRoute[];
  defaultRoute: Route | null;
  /** Lazy facts some condition reads; others are not computed on the request path. */
  needs: { messages: boolean; inputTokens: boolean };
}

export class RouterCompileError extends Error {
  constructor(
    readonly routeId: string,
    readonly expression: string,
    reason: string,
  ) {
    super(`route "${routeId}": invalid CEL ${JSON.stringify(expression)}: ${reason}`);
  }
}

const compiledRouters = new WeakMap<Router, CompiledRouter>();

/**
 * Compiles every condition once (expressions are also cached by text, so recompiling a new version of a router
 * only parses what changed). The result is cached per router object: keep one `Router` object per stored version
 * and this is free after the first call. Throws `RouterCompileError` for an expression that does not compile
 * (`parseRouter` already rejects those). CEL must be loaded (`loadCel`, cel-loader.ts) when the router has routes.
 */
export function compileRouter(router: Router): CompiledRouter {
  const hit = compiledRouters.get(router);
  if (hit) return hit;
  const routes: CompiledRoute[] = [];
  const needs = { messages: false, inputTokens: false };
  for (const r of router.routes) {
    const c = compileCel(r.condition.celExpression);
    if (!c.ok) throw new RouterCompileError(r.route.routeId, r.condition.celExpression, c.error);
    routes.push({ route: r.route, condition: c.compiled });
    if (c.compiled.variables.has('messages')) needs.messages = true;
    if (c.compiled.requestFields.has('input_tokens') || c.compiled.requestFields.has('*')) needs.inputTokens = true;
  }
  const compiled: CompiledRouter = { router, id: routerId(router), routes, defaultRoute: router.defaultRoute ?? null, needs };
  compiledRouters.set(router, compiled);
  return compiled;
}

export interface CelErrorRecord {
  routeId: string;
  expression: string;
  error: string;
}

export interface RouteDecision {
  routeId: string | null;
  variantId: string | null;
  /** The condition that matched; null when the default route was used. */
  matchedExpression: string | null;
  /** Conditions that failed to evaluate (each counted as false). */
  celErrors: CelErrorRecord[];
  variant: Variant | null;
  /** The chosen route, for its other variants (the tester shows them). */
  route: Route | null;
  isDefault: boolean;
  /** The variant was chosen by the user hash rather than a random draw. */
  sticky: boolean;
  /** One sentence for `metadata.reasoning` and the record. */
  reason: string;
  /** The CEL inputs (JSON-safe), for the dry-run tester and the record. */
  inputs: Record<string, unknown>;
}

export interface NoRouteMatched {
  error: typeof NO_ROUTE_MATCHED;
  celErrors: CelErrorRecord[];
  inputs: Record<string, unknown>;
}

export interface DecideOptions {
  /** Uniform [0, 1) source for requests without a user; default Math.random. */
  random?: () => number;
  /** Compute every fact (messages, input tokens) even if no condition reads it: for the dry-run tester. */
  explain?: boolean;
}

export function isNoRouteMatched(d: RouteDecision | NoRouteMatched): d is NoRouteMatched {
  return 'error' in d;
}

export function decide(compiled: CompiledRouter, facts: RequestFacts, opts: DecideOptions = {}): RouteDecision | NoRouteMatched {
  const need = opts.explain ? { messages: true, inputTokens: true } : compiled.needs;
  const { activation, inputs } = celInputs(facts, need);
  const celErrors: CelErrorRecord[] = [];
  let chosen: CompiledRoute | null = null;
  for (const r of compiled.routes) {
    const outcome = evalCondition(r.condition, activation);
    if (!outcome.ok) {
      celErrors.push({ routeId: r.route.routeId, expression: r.condition.expression, error: outcome.error });
      continue;
    }
    if (outcome.value) {
      chosen = r;
      break;
    }
  }
  const route = chosen ? chosen.route : compiled.defaultRoute;
  if (!route) return { error: NO_ROUTE_MATCHED, celErrors, inputs };

  const items = route.variants.map((v) => ({ id: v.variant.variantId, weight: v.weight }));
  const user = facts.user !== null && facts.user !== '' ? facts.user : null;
  const index = user !== null ? stickyIndex(items, [compiled.router.name, route.routeId], user) : weightedIndex(items, (opts.random ?? Math.random)());
  const entry = index >= 0 ? route.variants[index] : null;
  const variant = entry ? entry.variant : null;

  const routePart = chosen ? `route "${route.routeId}" matched ${chosen.condition.expression}` : `no condition matched, default route "${route.routeId}"`;
  let variantPart: string;
  if (!variant) variantPart = 'no variant has weight';
  else if (route.variants.length === 1) variantPart = `variant "${variant.variantId}"`;
  else {
    const split = route.variants.map((v) => `${v.variant.variantId} ${v.weight}`).join(', ');
    variantPart = `variant "${variant.variantId}" ${user !== null ? 'sticky for the user' : 'drawn by weight'} (${split})`;
  }
  const errorPart = celErrors.length > 0 ? `; ${celErrors.length} condition${celErrors.length === 1 ? '' : 's'} failed to evaluate and counted as false` : '';

  return {
    routeId: route.routeId,
    variantId: variant ? variant.variantId : null,
    matchedExpression: chosen ? chosen.condition.expression : null,
    celErrors,
    variant,
    route,
    isDefault: chosen === null,
    sticky: user !== null,
    reason: `Router "${compiled.id}": ${routePart}; ${variantPart}${errorPart}.`,
    inputs,
  };
}
