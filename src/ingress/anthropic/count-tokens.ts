import type { Services } from '../../app-types.js';
import { passthroughMessages } from '../../execution/anthropic-passthrough.js';
import type { Request } from '../../formats/canonical/types.js';
import { unknownBlockTypeFor } from '../../formats/canonical/unknown-blocks.js';
import { countInputTokens, tokenizerFamilyFor } from '../../formats/tokens/index.js';
import { isRouterModel, planRoute } from '../../routing/plan.js';
import { followAliases, notFoundMessage, resolveModel, type Candidate } from '../../routing/resolve.js';
import type { RequestContext } from '../context.js';
import { executionServices } from '../execute.js';
import { sendError, sendJson } from '../respond.js';
import { decodeForTranslation, prepareAnthropicRequest } from './messages.js';

/**
 * `POST /v1/messages/count_tokens` for any routed model: exact from an Anthropic-format provider; otherwise counted
 * locally for the model that would serve the request: with the real BPE for an OpenAI model (loaded on the first
 * such count), a calibrated estimate for the others. `auto` and routers count for the model they pick.
 */
export async function handleCountTokens(svc: Services, ctx: RequestContext): Promise<void> {
  const view = await prepareAnthropicRequest(svc, ctx, { forCount: true });
  if (!view) return;
  const name = followAliases(view.model, svc.config.aliases) ?? view.model;
  let candidates: Candidate[];
  let decoded: Request | null = null;
  if (name === 'auto' || isRouterModel(name)) {
    decoded = decodeForTranslation(ctx, view);
    if (!decoded) return;
    const planned = planRoute(svc, { api: 'anthropic', model: view.model, req: decoded, extensions: view.extensions, headers: ctx.req.headers, keyName: ctx.key?.name ?? null });
    if (!planned.ok) {
      sendError(ctx, planned.status, planned.message, { type: planned.type });
      return;
    }
    candidates = planned.plan.candidates;
    decoded = planned.plan.req;
  } else {
    const resolution = resolveModel(view.model, svc.routing);
    if (!resolution.ok) {
      sendError(ctx, 404, notFoundMessage(resolution), { type: 'not_found_error', errorClass: 'model_not_found' });
      return;
    }
    candidates = resolution.candidates;
  }
  const first = candidates[0];
  if (first.provider.format === 'anthropic' && decoded === null) {
    const anthropic = candidates.filter((c) => c.provider.format === 'anthropic');
    const q = ctx.req.url?.indexOf('?') ?? -1;
    await passthroughMessages(executionServices(svc), ctx, view, anthropic, q >= 0 ? ctx.req.url!.slice(q) : '', 'count_tokens');
    return;
  }
  // No provider counter for this path: the local count (docs/token-counting.md).
  const req = decoded ?? decodeForTranslation(ctx, view);
  if (!req) return;
  // The same refusal a real request to this model would get: a block its provider's format would silently drop.
  const unknown = unknownBlockTypeFor(req, first.provider.format);
  if (unknown) {
    sendError(ctx, 400, `content block type "${unknown}" is unknown, and a ${first.provider.format}-format provider would silently drop it`, { type: 'invalid_request_error' });
    return;
  }
  const input = countInputTokens(req, tokenizerFamilyFor(first.provider.name, first.model));
  ctx.model = `${first.provider.name}/${first.model}`;
  ctx.provider = first.provider.name;
  ctx.status = 200;
  ctx.usage = { input, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
  sendJson(ctx.res, 200, JSON.stringify({ input_tokens: input }), { 'x-request-id': ctx.id, 'x-switchyard-model': ctx.model, 'x-switchyard-provider': ctx.provider, 'x-switchyard-token-count': 'estimate' });
}
