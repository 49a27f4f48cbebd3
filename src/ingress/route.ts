import type { Services } from '../app-types.js';
import type { Request } from '../formats/canonical/types.js';
import { hasHints, hintsFromHeaders } from '../routing/hints.js';
import { requestFallback } from '../execution/guard.js';
import { isRouterModel, planRoute } from '../routing/plan.js';
import { followAliases, notFoundMessage, resolveModel, type Candidate } from '../routing/resolve.js';
import type { RequestContext } from './context.js';
import { executeRequest } from './execute.js';
import { admitRequest } from './limits.js';
import { sendError } from './respond.js';

export interface DecodeOptions {
  /**
   * Byte strings allowed (formats/canonical/byte-strings.ts): the request is only translated and sent on, nothing
   * reads what its text says.
   */
  bytes?: boolean;
}

export interface RouteInput {
  model: string;
  extensions: Record<string, unknown>;
  /** Full decode into the canonical form; answers the 400 itself and returns null when the request is invalid. */
  decode: (opts?: DecodeOptions) => Request | null;
  /** Same-format fast path over the caller's bytes. */
  passthrough: (candidates: Candidate[]) => Promise<void>;
}

const ROUTING_FIELDS = ['models', 'ignore', 'sort', 'provider'];

/**
 * Every candidate speaks the caller's format and sends back answers a client of that format can read as they are.
 * Hedged streams always go through the canonical executor, which can race two attempts.
 */
function passthroughable(ctx: RequestContext, candidates: Candidate[]): boolean {
  if (ctx.hedgeAfterMs !== null && ctx.stream && candidates.length > 1) return false;
  return candidates.every((c) => c.provider.format === ctx.api && !c.provider.quirks.normalizeResponses);
}

/**
 * Picks the candidates and the executor. A concrete model with no routing fields resolves without decoding the body
 * and, when every candidate speaks the caller's format, takes the passthrough path. `auto`, routers and routing
 * fields need the decoded request (CEL facts, capabilities, templates) and are planned in full.
 */
export async function routeAndExecute(svc: Services, ctx: RequestContext, input: RouteInput): Promise<void> {
  const fallback = input.extensions.fallback ?? hintsFromHeaders(ctx.req.headers).route.fallback;
  const parsed = requestFallback(fallback);
  if (parsed.error) {
    sendError(ctx, 400, parsed.error, { type: 'invalid_request_error', param: 'fallback' });
    return;
  }
  ctx.limits = parsed.limits;
  ctx.metadataSource = input.extensions.metadata;
  ctx.hasFallbackModels = Array.isArray(input.extensions.models) && input.extensions.models.length > 0;
  ctx.hedgeAfterMs = parsed.hedgeMs ?? svc.config.failover.hedge_after ?? null;
  const name = followAliases(input.model, svc.config.aliases) ?? input.model;
  const needsPlan = name === 'auto' || isRouterModel(name) || ROUTING_FIELDS.some((f) => input.extensions[f] !== undefined) || hasHints(ctx.req.headers);
  if (!needsPlan) {
    const resolution = resolveModel(input.model, svc.routing);
    if (!resolution.ok) {
      sendError(ctx, 404, notFoundMessage(resolution), { type: 'not_found_error', errorClass: 'model_not_found', code: 'model_not_found', param: 'model' });
      return;
    }
    ctx.candidates = resolution.candidates;
    const admitted = admitRequest(svc, ctx, resolution.candidates, null);
    if (admitted !== true && !(await admitted)) return;
    if (passthroughable(ctx, resolution.candidates)) return input.passthrough(resolution.candidates);
    // No routing facts to compute: the text is only translated, so it may stay as the client's bytes.
    const req = input.decode({ bytes: true });
    if (req) await executeRequest(svc, ctx, req, resolution.candidates);
    return;
  }
  const req = input.decode();
  if (!req) return;
  const result = planRoute(svc, { api: ctx.api, model: input.model, req, extensions: input.extensions, headers: ctx.req.headers, keyName: ctx.key?.name ?? null });
  if (!result.ok) {
    sendError(ctx, result.status, result.message, { type: result.type, errorClass: result.status === 404 ? 'model_not_found' : 'routing_error' });
    return;
  }
  const { plan } = result;
  if (plan.variantFallback) {
    // The variant's settings apply where the request did not set its own.
    const merged = requestFallback({ ...plan.variantFallback, ...((fallback as Record<string, unknown> | undefined) ?? {}) });
    if (!merged.error) {
      ctx.limits = merged.limits;
      ctx.hedgeAfterMs = merged.hedgeMs ?? ctx.hedgeAfterMs;
    }
  }
  ctx.plan = plan;
  ctx.routing = { router: plan.router?.id ?? null, routeId: plan.router?.routeId ?? null, variantId: plan.router?.variantId ?? null, reasoning: plan.reasoning };
  const admitted = admitRequest(svc, ctx, plan.candidates, plan.req);
  if (admitted !== true && !(await admitted)) return;
  if (plan.req === req && passthroughable(ctx, plan.candidates)) return input.passthrough(plan.candidates);
  await executeRequest(svc, ctx, plan.req, plan.candidates);
}
