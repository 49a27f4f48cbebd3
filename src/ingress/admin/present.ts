/** The JSON shapes of the admin API (docs/api.md, "Admin API"): snake_case, times as ISO 8601. */
import type { ClientKey, KeyUsage, AggregateRow, RecordSummary } from '../../store/index.js';
import type { AttemptRecord, RequestRecord, RoutingDecision, TokenUsage } from '../../telemetry/record.js';
import { traceIdOf } from '../../telemetry/tracing/trace-id.js';

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function usageJson(u: TokenUsage | null | undefined): Record<string, number> | null {
  if (!u) return null;
  return {
    input_tokens: u.input,
    output_tokens: u.output,
    cache_read_tokens: u.cacheRead,
    cache_write_tokens: u.cacheWrite,
    cache_write_1h_tokens: u.cacheWrite1h ?? 0,
    reasoning_tokens: u.reasoning,
  };
}

export function summaryJson(r: RecordSummary): Record<string, unknown> {
  return {
    id: r.id,
    time: iso(r.time),
    key_id: r.keyId,
    key_name: r.keyName,
    api: r.api,
    endpoint: r.endpoint,
    client: r.client,
    requested_model: r.requestedModel,
    model: r.model,
    provider: r.provider,
    router: r.routing?.router ?? null,
    route_id: r.routing?.routeId ?? null,
    variant_id: r.routing?.variantId ?? null,
    status: r.status,
    error_class: r.errorClass,
    error: r.error,
    stream: r.stream,
    stop_reason: r.stopReason,
    usage: usageJson(r.usage),
    cost_usd: r.costUsd,
    attempt_count: r.attempts.length,
    latency: { overhead_ms: r.overheadMs, ttft_ms: r.ttftMs, generation_ms: r.generationMs, total_ms: r.durationMs },
  };
}

function attemptJson(a: AttemptRecord): Record<string, unknown> {
  return {
    provider: a.provider,
    model: a.model,
    key_id: a.keyId ?? null,
    status: a.status,
    success: a.success,
    error_class: a.errorClass,
    error: a.error,
    start_ms: a.startMs ?? null,
    ttft_ms: a.ttftMs,
    duration_ms: a.durationMs,
    usage: usageJson(a.usage),
    cost_usd: a.costUsd ?? null,
  };
}

function routingJson(d: RoutingDecision | null): Record<string, unknown> | null {
  if (!d) return null;
  return {
    kind: d.kind,
    router: d.router,
    route_id: d.routeId,
    variant_id: d.variantId,
    matched_expression: d.matchedExpression,
    cel_errors: d.celErrors.map((e) => ({ route_id: e.routeId, expression: e.expression, error: e.error })),
    reasoning: d.reasoning,
    auto: d.auto && {
      sort: d.auto.sort,
      ranked: d.auto.ranked.map((c) => ({ provider: c.provider, model: c.model, rank: c.rank, price_usd: c.priceUsd, ttft_ms: c.ttftMs, throughput: c.throughput, intelligence: c.intelligence })),
    },
    candidates: d.candidates.map((c) => ({ provider: c.provider, model: c.model })),
    passed_over: d.passedOver.map((p) => ({ provider: p.provider, model: p.model, reason: p.reason })),
  };
}

export function detailJson(r: RequestRecord): Record<string, unknown> {
  return {
    ...summaryJson(r),
    attempts: r.attempts.map(attemptJson),
    routing: routingJson(r.routing),
    metadata: r.metadata,
    // The trace its spans went into (the caller's, from a `traceparent`, or derived from the id), for a trace link.
    trace_id: traceIdOf(r),
    bodies: r.bodies,
  };
}

export function aggregateRowJson(r: AggregateRow, withTime: boolean): Record<string, unknown> {
  return {
    ...(withTime ? { time: iso(r.time) } : {}),
    group: r.group,
    requests: r.requests,
    errors: r.errors,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    cache_read_tokens: r.cacheReadTokens,
    cache_write_tokens: r.cacheWriteTokens,
    reasoning_tokens: r.reasoningTokens,
    cost_usd: r.costUsd,
    latency_p50_ms: r.latencyP50Ms,
    latency_p95_ms: r.latencyP95Ms,
    ttft_p50_ms: r.ttftP50Ms,
    ttft_p95_ms: r.ttftP95Ms,
  };
}

/** A client key as the admin API shows it: never the key or its hash. */
export function keyJson(k: ClientKey): Record<string, unknown> {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    permissions: k.permissions,
    source: k.source,
    created_at: iso(k.createdAt),
    revoked_at: iso(k.revokedAt),
    limits: k.limits ?? null,
  };
}

export function keyUsageJson(u: KeyUsage | undefined): Record<string, unknown> {
  return { requests_30d: u?.requests ?? 0, tokens_30d: u?.tokens ?? 0, cost_usd_30d: u?.costUsd ?? 0, last_used_at: iso(u?.lastUsedAt ?? null) };
}
