import type { AttemptRecord, RequestRecord, RoutingDecision, TokenUsage } from '../../telemetry/record.js';

/** Every `requests` column but the bodies (what a listed record carries). */
export const SUMMARY_COLUMNS = `id, "time", key_id, key_name, api, endpoint, client, requested_model, model, provider, status, error_class, error, stream,
  stop_reason, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, cost_usd,
  ttft_ms, overhead_ms, generation_ms, duration_ms, attempts, router, route_id, variant_id, routing, metadata`;
/** A `requests` row as pg returns it (BIGINT as numbers, JSON and JSONB parsed). */
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
  stream: boolean;
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
  attempts: AttemptRecord[];
  router: string | null;
  route_id: string | null;
  variant_id: string | null;
  routing: RoutingDecision | null;
  metadata: Record<string, string> | null;
  request_body?: string | null;
  response_body?: string | null;
}

/** The attempt fields in declaration order, so attempts read back from JSONB (which reorders keys) look as written. */
const ATTEMPT_KEYS: readonly (keyof AttemptRecord)[] = ['provider', 'model', 'status', 'success', 'errorClass', 'error', 'ttftMs', 'durationMs', 'keyId', 'startMs', 'usage', 'costUsd'];
const USAGE_KEYS: readonly (keyof TokenUsage)[] = ['input', 'output', 'cacheRead', 'cacheWrite', 'cacheWrite1h', 'reasoning'];

function ordered<T extends object>(o: T, keys: readonly (keyof T)[]): T {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in o) out[k as string] = o[k];
  for (const [k, v] of Object.entries(o)) if (!(k in out)) out[k] = v;
  return out as T;
}

function orderAttempt(a: AttemptRecord): AttemptRecord {
  const out = ordered(a, ATTEMPT_KEYS);
  if (out.usage) out.usage = ordered(out.usage, USAGE_KEYS);
  return out;
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
    stream: r.stream,
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
    attempts: r.attempts.map(orderAttempt),
    routing: r.routing,
    metadata: r.metadata,
  };
  if ('request_body' in r) {
    record.bodies = r.request_body === null && r.response_body === null ? null : { request: r.request_body ?? null, response: r.response_body ?? null };
  }
  return record as RequestRecord;
}

