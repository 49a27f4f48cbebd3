/**
 * The write side of the `requests` table, shared by both backends: a record as the flat row of its column values,
 * made in the store's write (SQLite binds it as positional parameters, PostgreSQL sends a batch of rows as one JSON
 * array). Not when the record is queued: see docs/decisions/0008-record-write-path.md for why.
 */
import type { RequestRecord } from '../../telemetry/record.js';

/** The columns of a `RecordRow`, in its order; both backends' INSERT statements list them so. */
export const ROW_COLUMNS = [
  'id', 'time', 'key_id', 'key_name', 'api', 'endpoint', 'client', 'requested_model', 'model', 'provider', 'status',
  'error_class', 'error', 'stream', 'stop_reason', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens',
  'cache_write_1h_tokens', 'reasoning_tokens', 'cost_usd', 'ttft_ms', 'overhead_ms', 'generation_ms', 'duration_ms', 'attempts',
  'router', 'route_id', 'variant_id', 'routing', 'metadata', 'request_body', 'response_body',
] as const;

/**
 * One record as the values of `ROW_COLUMNS`: numbers, strings and nulls only. `stream` is 0/1 (SQLite binds no
 * booleans) and the JSON columns are already `JSON.stringify`'d.
 */
export type RecordRow = [
  id: string,
  time: number,
  keyId: string | null,
  keyName: string | null,
  api: string,
  endpoint: string,
  client: string | null,
  requestedModel: string | null,
  model: string | null,
  provider: string | null,
  status: number,
  errorClass: string | null,
  error: string | null,
  stream: 0 | 1,
  stopReason: string | null,
  inputTokens: number | null,
  outputTokens: number | null,
  cacheReadTokens: number | null,
  cacheWriteTokens: number | null,
  cacheWrite1hTokens: number | null,
  reasoningTokens: number | null,
  costUsd: number | null,
  ttftMs: number | null,
  overheadMs: number | null,
  generationMs: number | null,
  durationMs: number,
  attempts: string,
  router: string | null,
  routeId: string | null,
  variantId: string | null,
  routing: string | null,
  metadata: string | null,
  requestBody: string | null,
  responseBody: string | null,
];

/** Positions of the columns the backends treat specially. */
export const ROW_ID = 0;
export const ROW_ATTEMPTS = 26;
export const ROW_ROUTING = 30;
export const ROW_METADATA = 31;

/** The row of `r`. Throws only if the record cannot be serialised (a value JSON.stringify refuses): the batch fails. */
export function recordRow(r: RequestRecord): RecordRow {
  const usage = r.usage;
  const routing = r.routing;
  // `?? null` also on fields the type says are set: a record from older code may lack them, and an undefined would
  // not bind in SQLite.
  return [
    r.id,
    r.time,
    r.keyId ?? null,
    r.keyName ?? null,
    r.api,
    r.endpoint,
    r.client ?? null,
    r.requestedModel ?? null,
    r.model ?? null,
    r.provider ?? null,
    r.status,
    r.errorClass ?? null,
    r.error ?? null,
    r.stream ? 1 : 0,
    r.stopReason ?? null,
    usage?.input ?? null,
    usage?.output ?? null,
    usage?.cacheRead ?? null,
    usage?.cacheWrite ?? null,
    usage?.cacheWrite1h ?? null,
    usage?.reasoning ?? null,
    r.costUsd ?? null,
    r.ttftMs ?? null,
    r.overheadMs ?? null,
    r.generationMs ?? null,
    r.durationMs,
    JSON.stringify(r.attempts),
    routing?.router ?? null,
    routing?.routeId ?? null,
    routing?.variantId ?? null,
    routing ? JSON.stringify(routing) : null,
    r.metadata ? JSON.stringify(r.metadata) : null,
    r.bodies?.request ?? null,
    r.bodies?.response ?? null,
  ];
}
