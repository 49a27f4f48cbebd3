import type { Services } from '../../app-types.js';
import { RequestValidationError } from '../../formats/anthropic/request.js';
import { CodecError } from '../../formats/canonical/codec.js';
import { codecFor } from '../../formats/index.js';
import { decodableAsBytes, markByteStrings, parseBodyToTranslate } from '../../formats/canonical/byte-strings.js';
import { passthroughChat, readOpenAIRequest, type OpenAIRequestView } from '../../execution/openai-passthrough.js';
import { authenticate } from '../auth.js';
import { BodyTooLargeError, readBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { executionServices } from '../execute.js';
import { routeAndExecute, type DecodeOptions } from '../route.js';
import type { Request as CanonicalRequest } from '../../formats/canonical/types.js';
import { takeExtensions } from '../extensions.js';
import { sendError } from '../respond.js';

/** `POST /v1/chat/completions`: OpenAI Chat Completions for any routed model. */
export async function handleChatCompletions(svc: Services, ctx: RequestContext): Promise<void> {
  if (!authenticate(svc, ctx)) return;
  let buf: Buffer;
  try {
    buf = await readBody(ctx.req, svc.config.server.body_limit, svc.bodyPool);
  } catch (e) {
    if (e instanceof BodyTooLargeError) {
      sendError(ctx, 413, `Request body is too large: the limit is ${svc.config.server.body_limit} bytes.`, { type: 'request_too_large', headers: { connection: 'close' } });
      return;
    }
    throw e;
  }
  ctx.requestBody = buf;
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
  await routeAndExecute(svc, ctx, {
    model: view.model,
    extensions: view.extensions,
    decode: function decode(opts?: DecodeOptions): CanonicalRequest | null {
      const bytes = opts?.bytes === true && decodableAsBytes(buf, view.scan);
      const { body, raw } = parseBodyToTranslate(buf, 'openai', bytes, view.scan);
      takeExtensions(body);
      delete body.metadata;
      try {
        const req = codecFor('openai').decodeRequest(body);
        return bytes && !markByteStrings(req, raw) ? decode() : req;
      } catch (e) {
        if (e instanceof CodecError) {
          sendError(ctx, 400, e.message, { type: 'invalid_request_error', param: e.param });
          return null;
        }
        throw e;
      }
    },
    passthrough: (candidates) => passthroughChat(executionServices(svc), ctx, view, candidates),
  });
}
