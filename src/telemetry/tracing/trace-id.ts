import { createHash } from 'node:crypto';
import type { RequestRecord } from '../record.js';
import { recordedParent } from './trace-context.js';

/**
 * The trace id of a request's spans when the caller sent no trace context: the first 16 bytes of SHA-256 of its
 * request id. Anyone holding a request id (the `x-request-id` header, a record in the portal) can compute the trace id
 * and open the trace, with no lookup.
 */
export function traceIdFor(requestId: string): string {
  return createHash('sha256').update(requestId).digest('hex').slice(0, 32);
}

/**
 * The trace id a record's spans are (or, when the caller's trace was not sampled, would be) exported under: the
 * caller's, when the request came with a valid `traceparent` (kept in the record's `metadata.traceparent`), else the
 * one derived from the request id.
 */
export function traceIdOf(record: Pick<RequestRecord, 'id' | 'metadata'>): string {
  return recordedParent(record.metadata)?.parent.traceId ?? traceIdFor(record.id);
}
