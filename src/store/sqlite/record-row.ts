import type { AttemptRecord, RequestRecord, RoutingDecision } from '../../telemetry/record.js';
import { recordFromRow, type RequestRowOf, type RowDecoding } from '../query/record-row.js';

/** A `requests` row as better-sqlite3 returns it: 0/1 for booleans, JSON as text. */
export type RequestRow = RequestRowOf<number, string>;

const SQLITE_DECODING: RowDecoding<number, string> = {
  bool: (v) => v === 1,
  attempts: (v) => JSON.parse(v) as AttemptRecord[],
  routing: (v) => JSON.parse(v) as RoutingDecision,
  metadata: (v) => JSON.parse(v) as Record<string, string>,
};

export function toRecord(r: RequestRow): RequestRecord {
  return recordFromRow(r, SQLITE_DECODING);
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
