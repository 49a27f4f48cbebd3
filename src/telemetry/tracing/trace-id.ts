import { createHash } from 'node:crypto';

/**
 * The trace id of a request's spans: the first 16 bytes of SHA-256 of its request id. Anyone holding a request id
 * (the `x-request-id` header, a record in the portal) can compute the trace id and open the trace, with no lookup.
 */
export function traceIdFor(requestId: string): string {
  return createHash('sha256').update(requestId).digest('hex').slice(0, 32);
}
