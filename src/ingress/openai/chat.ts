import type { Services } from '../../app-types.js';
import { RequestValidationError } from '../../formats/anthropic/request.js';
import { CodecError } from '../../formats/canonical/codec.js';
import { codecFor } from '../../formats/index.js';
import { passthroughChat, readOpenAIRequest, type OpenAIRequestView } from '../../execution/openai-passthrough.js';
import { notFoundMessage, resolveModel } from '../../routing/resolve.js';
import { authenticate } from '../auth.js';
import { BodyTooLargeError, readBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { executeRequest, executionServices } from '../execute.js';
import { takeExtensions } from '../extensions.js';
import { sendError } from '../respond.js';

/** `POST /v1/chat/completions`: OpenAI Chat Completions for any routed model. */
export async function handleChatCompletions(svc: Services, ctx: RequestContext): Promise<void> {
  if (!authenticate(svc, ctx)) return;
  let buf: Buffer;
  try {
    buf = await readBody(ctx.req, svc.config.server.body_limit);
  } catch (e) {
    if (e instanceof BodyTooLargeError) {
      sendError(ctx, 413, `Request body is too large: the limit is ${svc.config.server.body_limit} bytes.`, { type: 'request_too_large', headers: { connection: 'close' } });
      return;
    }
    throw e;
  }
  let view: OpenAIRequestView;
  try {
    view = readOpenAIRequest(buf);
  } catch (e) {
    if (e instanceof RequestValidationError) {
      sendError(ctx, 400, e.message, { type: 'invalid_request_error' });
      return;
    }
    throw e;
  }
  ctx.requestedModel = view.model;
  ctx.stream = view.stream;
  const resolution = resolveModel(view.model, svc.routing);
  if (!resolution.ok) {
    sendError(ctx, 404, `The model \`${view.model}\` does not exist or you do not have access to it: ${notFoundMessage(resolution)}`, { type: 'not_found_error', errorClass: 'model_not_found', code: 'model_not_found', param: 'model' });
    return;
  }
  if (resolution.candidates[0].provider.format === 'openai') {
    const same = resolution.candidates.filter((c) => c.provider.format === 'openai');
    await passthroughChat(executionServices(svc), ctx, view, same);
    return;
  }
  const body = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
  takeExtensions(body);
  delete body.metadata;
  let req;
  try {
    req = codecFor('openai').decodeRequest(body);
  } catch (e) {
    if (e instanceof CodecError) {
      sendError(ctx, 400, e.message, { type: 'invalid_request_error', param: e.param });
      return;
    }
    throw e;
  }
  await executeRequest(svc, ctx, req, resolution.candidates);
}
