import type { AttemptRecord, RequestRecord, RoutingDecision, TokenUsage } from '../../telemetry/record.js';
import { recordFromRow, type RequestRowOf, type RowDecoding } from '../query/record-row.js';

export { SUMMARY_COLUMNS } from '../query/record-row.js';

/** A `requests` row as pg returns it (BIGINT as numbers, JSON parsed). */
export type RequestRow = RequestRowOf<boolean, unknown>;

/**
 * The attempt fields in declaration order, so attempts stored as JSONB before migration 6 (which reordered their keys,
 * and whose JSON text keeps that order) look as written.
 */
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

const POSTGRES_DECODING: RowDecoding<boolean, unknown> = {
  bool: (v) => v,
  attempts: (v) => (v as AttemptRecord[]).map(orderAttempt),
  routing: (v) => v as RoutingDecision,
  metadata: (v) => v as Record<string, string>,
};

/** A stored row as a record; without the body columns (a summary query) `bodies` is left out. */
export function toRecord(r: RequestRow): RequestRecord {
  return recordFromRow(r, POSTGRES_DECODING);
}
