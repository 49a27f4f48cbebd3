import { presentedKey } from '../auth/index.js';
import type { Services } from '../app-types.js';
import type { RequestContext } from './context.js';
import { sendError } from './respond.js';

/** Authenticates the caller or answers 401 in the caller's format. Returns false when the request is finished. */
export function authenticate(svc: Services, ctx: RequestContext): boolean {
  const presented = presentedKey(ctx.req.headers as { authorization?: string; 'x-api-key'?: string });
  if (!presented) {
    sendError(ctx, 401, 'Missing API key: send it as "x-api-key: <key>" or "Authorization: Bearer <key>".', { type: 'authentication_error' });
    return false;
  }
  const key = svc.keys.authenticate(presented);
  if (!key) {
    sendError(ctx, 401, 'Invalid API key: it is unknown or has been revoked.', { type: 'authentication_error' });
    return false;
  }
  ctx.key = key;
  return true;
}
