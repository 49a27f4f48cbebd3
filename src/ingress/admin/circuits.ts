import type { Services } from '../../app-types.js';
import type { RequestContext } from '../context.js';
import { requireAdmin } from './require-admin.js';
import { sendAdminJson } from './respond.js';

/** `GET /admin/v1/circuits`: every circuit breaker's state (admin key only). */
export async function handleCircuits(svc: Services, ctx: RequestContext): Promise<void> {
  if (!requireAdmin(svc, ctx)) return;
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
  sendAdminJson(ctx, 200, { data });
}
