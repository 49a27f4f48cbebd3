import type { AttemptRecord, RequestRecord, RoutingDecision } from '../../telemetry/record.js';

/** Every `requests` column but the bodies (what a listed record carries); `"time"` quoted for PostgreSQL. */
export const SUMMARY_COLUMNS = `id, "time", key_id, key_name, api, endpoint, client, requested_model, model, provider, status, error_class, error, stream,
  stop_reason, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, cost_usd,
  ttft_ms, overhead_ms, generation_ms, duration_ms, attempts, router, route_id, variant_id, routing, metadata`;

/**
 * A `requests` row as a driver returns it. The backends differ only in how booleans and JSON columns come back
 * (SQLite: 0/1 and text; PostgreSQL: booleans and parsed JSON), hence the type parameters.
 */
export interface RequestRowOf<Bool, Json> {
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
  stream: Bool;
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
  attempts: Json;
  router: string | null;
  route_id: string | null;
  variant_id: string | null;
  routing: Json | null;
  metadata: Json | null;
  request_body?: string | null;
  response_body?: string | null;
}

/** How one backend turns its column values into the record's. */
export interface RowDecoding<Bool, Json> {
  bool(v: Bool): boolean;
  attempts(v: Json): AttemptRecord[];
  routing(v: Json): RoutingDecision;
  metadata(v: Json): Record<string, string>;
}

/** A stored row as a record; without the body columns (a summary query) `bodies` is left out. */
export function recordFromRow<Bool, Json>(r: RequestRowOf<Bool, Json>, d: RowDecoding<Bool, Json>): RequestRecord {
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
    stream: d.bool(r.stream),
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
    attempts: d.attempts(r.attempts),
    routing: r.routing === null ? null : d.routing(r.routing),
    metadata: r.metadata === null ? null : d.metadata(r.metadata),
  };
  if ('request_body' in r) {
    record.bodies = r.request_body === null && r.response_body === null ? null : { request: r.request_body ?? null, response: r.response_body ?? null };
  }
  return record as RequestRecord;
}
