import type { RequestContext } from '../ingress/context.js';

/** The `metadata` object every response carries (SPEC section 6). */
export function responseMetadata(ctx: RequestContext): Record<string, unknown> {
  return {
    attempts: ctx.attempts.map((a) => ({
      model: a.model,
      provider: a.provider,
      success: a.success,
      status: a.status,
      error: a.error,
      time_to_first_token_ms: a.ttftMs,
      duration_ms: a.durationMs,
    })),
    generation_id: ctx.id,
    reasoning: ctx.routing?.reasoning ?? null,
    total_duration_ms: Math.round(ctx.elapsed()),
    router: ctx.routing?.router ?? null,
    route_id: ctx.routing?.routeId ?? null,
    variant_id: ctx.routing?.variantId ?? null,
  };
}

/** Headers every routed response carries. */
export function switchyardHeaders(ctx: RequestContext): Record<string, string> {
  return {
    'x-request-id': ctx.id,
    'x-switchyard-model': ctx.model ?? '',
    'x-switchyard-provider': ctx.provider ?? '',
    'x-switchyard-attempts': String(ctx.attempts.length),
    'x-switchyard-overhead-ms': ctx.overheadMs === null ? '' : ctx.overheadMs.toFixed(2),
  };
}

/** Headers of an upstream refusal relayed to the client: Switchyard's own, plus the provider's `retry-after`. */
export function refusalHeaders(ctx: RequestContext, upstream: { 'retry-after'?: string | string[] }): Record<string, string> {
  const headers: Record<string, string> = switchyardHeaders(ctx);
  const retryAfter = upstream['retry-after'];
  if (typeof retryAfter === 'string') headers['retry-after'] = retryAfter;
  return headers;
}
