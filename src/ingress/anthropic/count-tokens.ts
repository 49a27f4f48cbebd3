import type { Services } from '../../app-types.js';
import { passthroughMessages } from '../../execution/anthropic-passthrough.js';
import { resolveModel } from '../../routing/resolve.js';
import type { RequestContext } from '../context.js';
import { sendError } from '../respond.js';
import { prepareAnthropicRequest } from './messages.js';

/** `POST /v1/messages/count_tokens`: exact counts from Anthropic-format upstreams. */
export async function handleCountTokens(svc: Services, ctx: RequestContext): Promise<void> {
  const view = await prepareAnthropicRequest(svc, ctx, { forCount: true });
  if (!view) return;
  const resolution = resolveModel(view.model, svc.providers, svc.config.aliases);
  if (!resolution.ok) {
    sendError(ctx, 404, `${resolution.reason}. List the available models with GET /v1/models.`, { type: 'not_found_error', errorClass: 'model_not_found' });
    return;
  }
  const anthropic = resolution.candidates.filter((c) => c.provider.format === 'anthropic');
  if (anthropic.length === 0) {
    sendError(ctx, 400, `token counting for "${view.model}" needs an Anthropic-format provider in this build`, { type: 'invalid_request_error' });
    return;
  }
  const q = ctx.req.url?.indexOf('?') ?? -1;
  await passthroughMessages(
    { agent: svc.agent, providers: svc.providers, log: svc.log, maxAttempts: svc.config.failover.max_attempts, totalTimeoutMs: svc.config.failover.timeouts.total ?? 600_000 },
    ctx,
    view,
    anthropic,
    q >= 0 ? ctx.req.url!.slice(q) : '',
    'count_tokens',
  );
}
