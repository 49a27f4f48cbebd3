/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): reading a caller's `traceparent` and `tracestate`
 * headers, and the request record's copy of them. No OpenTelemetry imports: ingress calls this on every request,
 * tracing on or off, and the SDK is loaded only when an OTLP endpoint is configured.
 *
 * The record keeps a valid caller context in its metadata, under the keys `traceparent` (normalised to version 00)
 * and `tracestate`; tracing reads it back from there, so the record always shows the trace its spans went into.
 */

/** The record metadata keys that hold the caller's trace context. Clients cannot set them through `metadata`. */
export const TRACEPARENT_KEY = 'traceparent';
export const TRACESTATE_KEY = 'tracestate';

export interface TraceParent {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** The caller's span: 16 lowercase hex digits, not all zero. */
  spanId: string;
  /** The trace-flags byte; bit 0 is `sampled`. */
  flags: number;
}

type HeaderValue = string | string[] | undefined;

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/**
 * The caller's parent span, or null when the header is absent or invalid (then it is ignored, as the spec asks).
 * Invalid: not exactly one header value; version `ff`; version 00 with anything after the flags; a later version
 * whose extra fields do not follow a `-`; a field of the wrong length or not lowercase hex; an all-zero trace or
 * span id. Later versions are read as version 00 (their first four fields), as the spec asks of a version-00 parser.
 */
export function parseTraceparent(value: HeaderValue): TraceParent | null {
  if (Array.isArray(value)) {
    if (value.length !== 1) return null;
    value = value[0];
  }
  if (typeof value !== 'string') return null;
  const m = TRACEPARENT.exec(value.replace(/^[ \t]+|[ \t]+$/g, ''));
  if (!m) return null;
  const [, version, traceId, spanId, flags, rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return null;
  return { traceId, spanId, flags: parseInt(flags, 16) };
}

export function isSampled(parent: TraceParent): boolean {
  return (parent.flags & 1) === 1;
}

/** The version-00 header for this parent (what the record keeps). */
export function formatTraceparent(parent: TraceParent): string {
  return `00-${parent.traceId}-${parent.spanId}-${parent.flags.toString(16).padStart(2, '0')}`;
}

const MAX_MEMBERS = 32;
const MAX_LENGTH = 512;
const LONG_MEMBER = 128;
const KEY = /^(?:[a-z][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/**
 * The caller's `tracestate`, cleaned up, or null when nothing valid is left. Several headers are one list (in
 * order). Invalid members and repeated keys (after the first) are dropped, at most 32 members are kept, and a list
 * longer than 512 characters loses members of more than 128 characters, then members from the end, until it fits —
 * what the spec allows, so the record's copy is never cut in the middle of a value.
 */
export function parseTracestate(value: HeaderValue): string | null {
  if (value === undefined) return null;
  const list = Array.isArray(value) ? value.join(',') : value;
  const members: string[] = [];
  const keys = new Set<string>();
  for (const raw of list.split(',')) {
    const member = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    const eq = member.indexOf('=');
    if (eq <= 0) continue;
    const key = member.slice(0, eq);
    if (!KEY.test(key) || !VALUE.test(member.slice(eq + 1)) || keys.has(key)) continue;
    keys.add(key);
    members.push(member);
    if (members.length === MAX_MEMBERS) break;
  }
  const length = () => members.reduce((n, m) => n + m.length, 0) + Math.max(members.length - 1, 0);
  for (let i = members.length - 1; i >= 0 && length() > MAX_LENGTH; i--) {
    if (members[i].length > LONG_MEMBER) members.splice(i, 1);
  }
  while (length() > MAX_LENGTH) members.pop();
  return members.length === 0 ? null : members.join(',');
}

/**
 * The record metadata entries for the caller's trace context: `traceparent` (version 00) and, when the caller sent a
 * valid one with it, `tracestate`. Empty without a valid `traceparent`; `tracestate` alone is ignored, as the spec asks.
 */
export function traceContextEntries(headers: Readonly<Record<string, HeaderValue>>): Array<[string, string]> {
  const parent = parseTraceparent(headers.traceparent);
  if (!parent) return [];
  const entries: Array<[string, string]> = [[TRACEPARENT_KEY, formatTraceparent(parent)]];
  const state = parseTracestate(headers.tracestate);
  if (state !== null) entries.push([TRACESTATE_KEY, state]);
  return entries;
}

/** The caller's trace context kept in a record's metadata, or null when the request came without one. */
export function recordedParent(metadata: Record<string, string> | null): { parent: TraceParent; traceState: string | null } | null {
  const parent = parseTraceparent(metadata?.[TRACEPARENT_KEY]);
  if (!parent) return null;
  return { parent, traceState: parseTracestate(metadata?.[TRACESTATE_KEY]) };
}
