import type { Services } from '../../app-types.js';
import { passthroughMessages } from '../../execution/anthropic-passthrough.js';
import { notFoundMessage, resolveModel } from '../../routing/resolve.js';
import type { RequestContext } from '../context.js';
import { estimateInputTokens, tokenizerFamilyFor } from '../../formats/tokens/index.js';
import { executionServices } from '../execute.js';
import { sendError, sendJson } from '../respond.js';
import { decodeForTranslation, prepareAnthropicRequest } from './messages.js';

/** `POST /v1/messages/count_tokens`: exact counts from Anthropic-format upstreams. */
export async function handleCountTokens(svc: Services, ctx: RequestContext): Promise<void> {
  const view = await prepareAnthropicRequest(svc, ctx, { forCount: true });
  if (!view) return;
  const resolution = resolveModel(view.model, svc.routing);
  if (!resolution.ok) {
    sendError(ctx, 404, notFoundMessage(resolution), { type: 'not_found_error', errorClass: 'model_not_found' });
    return;
  }
  const first = resolution.candidates[0];
  if (first.provider.format === 'anthropic') {
    const anthropic = resolution.candidates.filter((c) => c.provider.format === 'anthropic');
    const q = ctx.req.url?.indexOf('?') ?? -1;
    await passthroughMessages(executionServices(svc), ctx, view, anthropic, q >= 0 ? ctx.req.url!.slice(q) : '', 'count_tokens');
    return;
  }
  // No exact counter upstream: a calibrated local estimate (docs/token-counting.md).
  const req = decodeForTranslation(ctx, view);
  if (!req) return;
  const input = estimateInputTokens(req, tokenizerFamilyFor(first.provider.name, first.model));
  ctx.model = `${first.provider.name}/${first.model}`;
  ctx.provider = first.provider.name;
  ctx.status = 200;
  ctx.usage = { input, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
  sendJson(ctx.res, 200, JSON.stringify({ input_tokens: input }), { 'x-request-id': ctx.id, 'x-switchyard-model': ctx.model, 'x-switchyard-provider': ctx.provider, 'x-switchyard-token-count': 'estimate' });
}
