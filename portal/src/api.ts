/**
 * The portal reads and writes only through Switchyard's documented APIs (docs/api.md, docs/routing.md). The browser
 * sends the HttpOnly session cookie by itself; state-changing calls add the session's CSRF token.
 */

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cache_write_1h_tokens?: number;
  reasoning_tokens: number;
}

export interface Latency {
  overhead_ms: number | null;
  ttft_ms: number | null;
  generation_ms: number | null;
  total_ms: number | null;
}

export interface RequestSummary {
  id: string;
  time: string;
  key_id: string | null;
  key_name: string | null;
  api: string;
  endpoint: string;
  client: string | null;
  requested_model: string | null;
  model: string | null;
  provider: string | null;
  router: string | null;
  route_id: string | null;
  variant_id: string | null;
  status: number;
  error_class: string | null;
  error: string | null;
  stream: boolean;
  stop_reason: string | null;
  usage: Usage | null;
  cost_usd: number | null;
  attempt_count: number;
  latency: Latency | null;
}

export interface Attempt {
  provider: string;
  model: string;
  key_id: string | null;
  status: number | null;
  success: boolean;
  error_class: string | null;
  error: string | null;
  start_ms: number | null;
  ttft_ms: number | null;
  duration_ms: number;
  usage: Usage | null;
  cost_usd: number | null;
}

export interface Routing {
  kind: string;
  router: string | null;
  route_id: string | null;
  variant_id: string | null;
  matched_expression: string | null;
  cel_errors: Array<{ route_id: string; expression: string; error: string }> | null;
  reasoning: string | null;
  auto: { sort: string[]; ranked: Array<{ provider: string; model: string; rank: number; price_usd: number | null; ttft_ms: number | null; throughput: number | null; intelligence: number | null }> } | null;
  candidates: Array<{ provider: string; model: string }> | null;
  passed_over: Array<{ provider: string; model: string; reason: string }> | null;
}

export interface RequestDetail extends RequestSummary {
  attempts: Attempt[];
  routing: Routing | null;
  metadata: Record<string, unknown> | null;
  bodies: { request: string | null; response: string | null } | null;
}

export interface UsageRow {
  time?: string;
  group: string | null;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_usd: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
}

export interface UsageAnswer {
  bucket: string;
  group_by: string;
  from: string;
  to: string;
  data: UsageRow[];
  totals: UsageRow;
}

export interface KeyInfo {
  id: string;
  name: string;
  prefix: string;
  permissions: string[];
  source: string;
  created_at: string;
  revoked_at: string | null;
  usage?: { requests_30d: number; tokens_30d: number; cost_usd_30d: number | null; last_used_at: string | null } | null;
}

export interface Circuit {
  provider: string;
  model: string;
  key: string;
  state: string;
  consecutive_failures: number;
  window_requests: number;
  window_failures: number;
  opened_at: string | null;
  retry_at: string | null;
  last_reason: string | null;
}

export interface CatalogModel {
  model: string;
  provider: string;
  modelCreator?: string;
  displayName: string;
  available?: boolean;
  pricing: { prompt: number; completion: number; cacheRead?: number; cacheWrite?: number };
  spec: { contextLength: number; maxOutputTokens: number; inputModalities: string[]; capabilities: Record<string, unknown> };
  scores?: { intelligence: number | null; coding: number | null; math: number | null };
  performance?: { ttftMs: number; tokensPerSecond: number };
}

export interface ValidationIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: ValidationIssue[] = [],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
const signedOutListeners = new Set<() => void>();

export function onSignedOut(fn: () => void): () => void {
  signedOutListeners.add(fn);
  return () => signedOutListeners.delete(fn);
}

async function errorFrom(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  let issues: ValidationIssue[] = [];
  try {
    const body = (await res.json()) as { error?: { message?: string; errors?: ValidationIssue[] } | string };
    if (typeof body.error === 'string') message = body.error;
    else if (body.error?.message) message = body.error.message;
    if (typeof body.error === 'object' && Array.isArray(body.error.errors)) issues = body.error.errors;
  } catch {
    // Not JSON: the status line is all there is to say.
  }
  return new ApiError(res.status, message, issues);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  if (res.status === 401 && !path.startsWith('/portal/api/session')) {
    csrfToken = null;
    for (const fn of signedOutListeners) fn();
  }
  if (!res.ok) throw await errorFrom(res);
  return (await res.json()) as T;
}

/** Builds a query string, leaving out empty values. */
export function qs(params: Record<string, string | number | null | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

export async function restoreSession(): Promise<boolean> {
  try {
    const s = await api<{ signed_in: boolean; csrf_token?: string }>('GET', '/portal/api/session');
    csrfToken = s.csrf_token ?? null;
    return s.signed_in && csrfToken !== null;
  } catch {
    return false;
  }
}

export async function signIn(adminKey: string): Promise<void> {
  const s = await api<{ csrf_token: string }>('POST', '/portal/api/session', { admin_key: adminKey });
  csrfToken = s.csrf_token;
}

export async function signOut(): Promise<void> {
  try {
    await api('DELETE', '/portal/api/session');
  } finally {
    csrfToken = null;
  }
}
