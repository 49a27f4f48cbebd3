import type { Services } from '../../app-types.js';
import { authenticate } from '../auth.js';
import type { RequestContext } from '../context.js';
import { sendError } from '../respond.js';

/**
 * The gate of every `/admin/v1` endpoint: a valid caller (key or portal session, per `authenticate`) with admin rights.
 * Answers 401/403 itself and returns false when the request is finished.
 */
export function requireAdmin(svc: Services, ctx: RequestContext): boolean {
  if (!authenticate(svc, ctx)) return false;
  if (!ctx.key?.admin) {
    sendError(ctx, 403, 'The admin key is required for /admin/v1 endpoints.', { type: 'permission_error' });
    return false;
  }
  return true;
}
