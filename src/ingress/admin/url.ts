import type { RequestContext } from '../context.js';

export function requestUrl(ctx: RequestContext): URL {
  return new URL(ctx.req.url ?? '/', 'http://x');
}

/** The last path segment, decoded; null when its percent-encoding is invalid. */
export function pathId(ctx: RequestContext): string | null {
  const path = requestUrl(ctx).pathname.replace(/\/+$/, '');
  try {
    return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
  } catch {
    return null;
  }
}
