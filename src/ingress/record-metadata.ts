import type { IncomingHttpHeaders } from 'node:http';
import { hintsFromHeaders } from '../routing/hints.js';
import { TRACEPARENT_KEY, TRACESTATE_KEY, traceContextEntries } from '../telemetry/tracing/trace-context.js';

const MAX_ENTRIES = 64;
const MAX_VALUE = 512;

/**
 * The record's metadata: `x-switchyard-metadata` pairs overlaid by the body's `metadata` object (the same precedence
 * routing uses), as short strings. Bounded so a hostile client cannot bloat the store through it. A valid W3C
 * `traceparent` header (and its `tracestate`) is kept under those two keys, which the client's own pairs cannot set:
 * tracing parents the request's spans on it (docs/observability.md).
 */
export function recordMetadata(headers: IncomingHttpHeaders, bodyMetadata: unknown, userId: string | null): Record<string, string> | null {
  const out: Record<string, string> = {};
  let n = 0;
  const put = (k: string, v: unknown) => {
    if (n >= MAX_ENTRIES || v === undefined || v === null || k === TRACEPARENT_KEY || k === TRACESTATE_KEY) return;
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    out[k.slice(0, 128)] = text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
    n++;
  };
  if (headers['x-switchyard-metadata'] !== undefined) {
    for (const [k, v] of Object.entries(hintsFromHeaders(headers).metadata)) put(k, v);
  }
  if (bodyMetadata && typeof bodyMetadata === 'object' && !Array.isArray(bodyMetadata)) {
    for (const [k, v] of Object.entries(bodyMetadata)) put(k, v);
  }
  if (userId !== null) put('user_id', userId);
  // Outside the entry bound: two short values (a 55-character traceparent, a tracestate of at most 512).
  for (const [k, v] of traceContextEntries(headers)) {
    out[k] = v;
    n++;
  }
  return n === 0 ? null : out;
}
