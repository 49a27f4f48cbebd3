import type { Services } from '../app-types.js';
import { authenticate } from './auth.js';
import type { RequestContext } from './context.js';
import { sendError, sendJson } from './respond.js';

/** `GET /admin/v1/circuits`: every circuit breaker's state (admin key only). */
export async function handleCircuits(svc: Services, ctx: RequestContext): Promise<void> {
  if (!authenticate(svc, ctx)) return;
  if (!ctx.key?.admin) {
    sendError(ctx, 403, 'The admin key is required for /admin/v1 endpoints.', { type: 'permission_error' });
    return;
  }
  ctx.status = 200;
  const data = svc.breakers.snapshot().map((b) => ({
    provider: b.provider,
    model: b.model,
    key: b.key,
    state: b.state,
    consecutive_failures: b.consecutiveFailures,
    window_requests: b.windowRequests,
    window_failures: b.windowFailures,
    opened_at: b.openedAt === null ? null : new Date(b.openedAt).toISOString(),
    retry_at: b.retryAt === null ? null : new Date(b.retryAt).toISOString(),
    last_reason: b.lastReason,
  }));
  sendJson(ctx.res, 200, JSON.stringify({ data }), { 'x-request-id': ctx.id });
}
