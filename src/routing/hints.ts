import type { IncomingHttpHeaders } from 'node:http';

/**
 * Routing hints Claude Code can send as headers (it cannot add body fields; SPEC section 5), set through
 * ANTHROPIC_CUSTOM_HEADERS: `x-switchyard-metadata: k=v; k2=v2` and `x-switchyard-route: <json of extension fields>`.
 */
export function hintsFromHeaders(headers: IncomingHttpHeaders): { metadata: Record<string, string>; route: Record<string, unknown>; error: string | null } {
  const metadata: Record<string, string> = {};
  let route: Record<string, unknown> = {};
  let error: string | null = null;
  const meta = headers['x-switchyard-metadata'];
  for (const value of Array.isArray(meta) ? meta : meta ? [meta] : []) {
    for (const pair of value.split(';')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const key = pair.slice(0, eq).trim();
      if (key) metadata[key] = pair.slice(eq + 1).trim();
    }
  }
  const raw = headers['x-switchyard-route'];
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) route = parsed as Record<string, unknown>;
      else error = 'x-switchyard-route must be a JSON object';
    } catch (e) {
      error = `x-switchyard-route is not valid JSON: ${(e as Error).message}`;
    }
  }
  return { metadata, route, error };
}

export function hasHints(headers: IncomingHttpHeaders): boolean {
  return headers['x-switchyard-metadata'] !== undefined || headers['x-switchyard-route'] !== undefined;
}
