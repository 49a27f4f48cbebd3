import type { AttemptRecord, RequestRecord, RoutingDecision } from '../../telemetry/record.js';

/** A `requests` row as better-sqlite3 returns it. */
export interface RequestRow {
  id: string;
  time: number;
  key_id: string | null;
  key_name: string | null;
  api: RequestRecord['api'];
  endpoint: string;
  client: string | null;
  requested_model: string | null;
  model: string | null;
  provider: string | null;
  status: number;
  error_class: string | null;
  error: string | null;
  stream: number;
  stop_reason: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  cache_write_1h_tokens: number | null;
  reasoning_tokens: number | null;
  cost_usd: number | null;
  ttft_ms: number | null;
  overhead_ms: number | null;
  generation_ms: number | null;
  duration_ms: number;
  attempts: string;
  router: string | null;
  route_id: string | null;
  variant_id: string | null;
  routing: string | null;
  metadata: string | null;
  request_body?: string | null;
  response_body?: string | null;
}

/** A stored row as a record; without the body columns (a summary query) `bodies` is left out. */
export function toRecord(r: RequestRow): RequestRecord {
  const record: Omit<RequestRecord, 'bodies'> & { bodies?: RequestRecord['bodies'] } = {
    id: r.id,
    time: r.time,
    keyId: r.key_id,
    keyName: r.key_name,
    api: r.api,
    endpoint: r.endpoint,
    client: r.client,
    requestedModel: r.requested_model,
    model: r.model,
    provider: r.provider,
    status: r.status,
    errorClass: r.error_class,
    error: r.error,
    stream: r.stream === 1,
    stopReason: r.stop_reason,
    usage:
      r.input_tokens === null
        ? null
        : {
            input: r.input_tokens,
            output: r.output_tokens ?? 0,
            cacheRead: r.cache_read_tokens ?? 0,
            cacheWrite: r.cache_write_tokens ?? 0,
            ...(r.cache_write_1h_tokens === null ? {} : { cacheWrite1h: r.cache_write_1h_tokens }),
            reasoning: r.reasoning_tokens ?? 0,
          },
    costUsd: r.cost_usd,
    overheadMs: r.overhead_ms,
    ttftMs: r.ttft_ms,
    generationMs: r.generation_ms,
    durationMs: r.duration_ms,
    attempts: JSON.parse(r.attempts) as AttemptRecord[],
    routing: r.routing === null ? null : (JSON.parse(r.routing) as RoutingDecision),
    metadata: r.metadata === null ? null : (JSON.parse(r.metadata) as Record<string, string>),
  };
  if ('request_body' in r) {
    record.bodies = r.request_body === null && r.response_body === null ? null : { request: r.request_body ?? null, response: r.response_body ?? null };
  }
  return record as RequestRecord;
}

/** The named parameters of the INSERT for one record. */
export function recordParams(r: RequestRecord): Record<string, unknown> {
  return {
    id: r.id,
    time: r.time,
    key_id: r.keyId ?? null,
    key_name: r.keyName,
    api: r.api,
    endpoint: r.endpoint,
    client: r.client,
    requested_model: r.requestedModel,
    model: r.model,
    provider: r.provider,
    status: r.status,
    error_class: r.errorClass,
    error: r.error,
    stream: r.stream ? 1 : 0,
    stop_reason: r.stopReason,
    input_tokens: r.usage?.input ?? null,
    output_tokens: r.usage?.output ?? null,
    cache_read_tokens: r.usage?.cacheRead ?? null,
    cache_write_tokens: r.usage?.cacheWrite ?? null,
    cache_write_1h_tokens: r.usage?.cacheWrite1h ?? null,
    reasoning_tokens: r.usage?.reasoning ?? null,
    cost_usd: r.costUsd ?? null,
    ttft_ms: r.ttftMs,
    overhead_ms: r.overheadMs,
    generation_ms: r.generationMs ?? null,
    duration_ms: r.durationMs,
    attempts: JSON.stringify(r.attempts),
    router: r.routing?.router ?? null,
    route_id: r.routing?.routeId ?? null,
    variant_id: r.routing?.variantId ?? null,
    routing: r.routing ? JSON.stringify(r.routing) : null,
    metadata: r.metadata ? JSON.stringify(r.metadata) : null,
    request_body: r.bodies?.request ?? null,
    response_body: r.bodies?.response ?? null,
  };
}
