import { Agent, type Dispatcher } from 'undici';
import type { Provider } from './registry.js';

/**
 * One keep-alive connection pool per upstream origin (undici's Agent keeps a Pool per origin). Shared by every request
 * so TLS handshakes and TCP setup happen once per connection, not per request.
 */
export function createUpstreamAgent(opts: { connectTimeoutMs: number; connections?: number }): Agent {
  return new Agent({
    connect: { timeout: opts.connectTimeoutMs },
    connections: opts.connections ?? 256,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    // Timeouts that matter are enforced per request by the execution layer.
    headersTimeout: 0,
    bodyTimeout: 0,
    pipelining: 1,
  });
}

export type UpstreamOp = 'messages' | 'count_tokens' | 'models' | 'chat' | 'generate' | 'stream_generate' | 'gemini_count_tokens';

/**
 * The path of an operation under the provider's base URL, following each vendor SDK's base URL convention (SPEC
 * section 8). `query` is the caller's own query string, passed on as it came (Anthropic passthrough).
 */
export function upstreamPath(provider: Provider, op: UpstreamOp, model?: string, query?: string): string {
  switch (op) {
    case 'messages':
      return `/v1/messages${query ?? ''}`;
    case 'count_tokens':
      return `/v1/messages/count_tokens${query ?? ''}`;
    case 'models':
      return provider.format === 'anthropic' ? '/v1/models' : provider.format === 'gemini' ? '/v1beta/models' : '/models';
    case 'chat':
      return '/chat/completions';
    case 'generate':
      return `/v1beta/models/${encodeURIComponent(model ?? '')}:generateContent`;
    case 'stream_generate':
      return `/v1beta/models/${encodeURIComponent(model ?? '')}:streamGenerateContent?alt=sse`;
    case 'gemini_count_tokens':
      return `/v1beta/models/${encodeURIComponent(model ?? '')}:countTokens`;
  }
}

/** Each provider's base URL split into origin and path, once. */
const bases = new WeakMap<Provider, { origin: string; path: string }>();

function baseOf(provider: Provider): { origin: string; path: string } {
  let base = bases.get(provider);
  if (!base) {
    const u = new URL(provider.baseUrl);
    base = { origin: u.origin, path: u.pathname === '/' ? '' : u.pathname.replace(/\/+$/, '') };
    bases.set(provider, base);
  }
  return base;
}

/**
 * Sends one request to `provider` at `path` (from `upstreamPath`). The dispatcher gets origin and path as they are:
 * undici's `request(url)` would parse the URL again on every call, ~30 µs of a small request's latency here.
 */
export function sendUpstream(dispatcher: Dispatcher, provider: Provider, path: string, opts: Omit<Dispatcher.RequestOptions, 'origin' | 'path'>): Promise<Dispatcher.ResponseData> {
  const base = baseOf(provider);
  return dispatcher.request({ ...opts, origin: base.origin, path: base.path + path });
}

/** Adds the provider's auth header for the given key. */
export function authHeaders(provider: Provider, key: string, into: Record<string, string>): Record<string, string> {
  if (!key) return into;
  switch (provider.auth) {
    case 'x-api-key':
      into['x-api-key'] = key;
      break;
    case 'x-goog-api-key':
      into['x-goog-api-key'] = key;
      break;
    case 'bearer':
      into['authorization'] = `Bearer ${key}`;
      break;
  }
  return into;
}

export type UpstreamResponse = Dispatcher.ResponseData;

/** One keep-alive agent per distinct connect timeout: providers with their own `timeouts.connect` get their own pools. */
export class UpstreamAgents {
  private readonly byTimeout = new Map<number, Agent>();

  constructor(private readonly defaultConnectMs: number) {}

  for(provider: Provider): Agent {
    const ms = provider.timeouts.connect ?? this.defaultConnectMs;
    let agent = this.byTimeout.get(ms);
    if (!agent) this.byTimeout.set(ms, (agent = createUpstreamAgent({ connectTimeoutMs: ms })));
    return agent;
  }

  async close(): Promise<void> {
    await Promise.all([...this.byTimeout.values()].map((a) => a.close().catch(() => undefined)));
  }
}
