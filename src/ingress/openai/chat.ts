import type { Services } from '../../app-types.js';
import { CodecError } from '../../formats/canonical/codec.js';
import { codecFor } from '../../formats/index.js';
import { resolveModel } from '../../routing/resolve.js';
import { authenticate } from '../auth.js';
import { BodyTooLargeError, readBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { takeExtensions } from '../extensions.js';
import { sendError } from '../respond.js';
import { executeRequest } from '../execute.js';

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
  let body: unknown;
  try {
    body = JSON.parse(buf.toString('utf8'));
  } catch (e) {
    sendError(ctx, 400, `We could not parse the JSON body of your request: ${(e as Error).message}`, { type: 'invalid_request_error' });
    return;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    sendError(ctx, 400, 'The request body must be a JSON object.', { type: 'invalid_request_error' });
    return;
  }
  const obj = body as Record<string, unknown>;
  if (typeof obj.model === 'string') ctx.requestedModel = obj.model;
  ctx.stream = obj.stream === true;
  const extensions = takeExtensions(obj);
  if (obj.metadata && typeof obj.metadata === 'object') {
    extensions.metadata = obj.metadata;
    delete obj.metadata;
  }
  let req;
  try {
    req = codecFor('openai').decodeRequest(obj);
  } catch (e) {
    if (e instanceof CodecError) {
      sendError(ctx, 400, e.message, { type: 'invalid_request_error', param: e.param });
      return;
    }
    throw e;
  }
  const resolution = resolveModel(req.model, svc.providers, svc.config.aliases);
  if (!resolution.ok) {
    sendError(ctx, 404, `The model \`${req.model}\` does not exist or you do not have access to it: ${resolution.reason}. List the available models with GET /v1/models.`, { type: 'not_found_error', errorClass: 'model_not_found', code: 'model_not_found', param: 'model' });
    return;
  }
  await executeRequest(svc, ctx, req, resolution.candidates);
}
