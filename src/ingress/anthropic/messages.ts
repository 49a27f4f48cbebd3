import type { Services } from '../../app-types.js';
import { checkForwardedHeader, readAnthropicRequest, RequestValidationError, type AnthropicRequestView } from '../../formats/anthropic/request.js';
import { passthroughMessages } from '../../execution/anthropic-passthrough.js';
import { CodecError } from '../../formats/canonical/codec.js';
import type { Request as CanonicalRequest } from '../../formats/canonical/types.js';
import { codecFor } from '../../formats/index.js';
import { byteStringOf, decodableAsBytes, markByteStrings, parseBodyToTranslate } from '../../formats/canonical/byte-strings.js';
import { executionServices } from '../execute.js';
import { routeAndExecute, type DecodeOptions } from '../route.js';
import { takeExtensions } from '../extensions.js';
import { authenticate } from '../auth.js';
import { BodyTooLargeError, readBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { sendError } from '../respond.js';

/** Reads, checks and resolves an Anthropic-format request; answers the error itself and returns null when it cannot. */
export async function prepareAnthropicRequest(svc: Services, ctx: RequestContext, opts: { forCount?: boolean } = {}): Promise<AnthropicRequestView | null> {
  if (!authenticate(svc, ctx)) return null;
  let buf: Buffer;
  try {
    buf = await readBody(ctx.req, svc.config.server.body_limit, svc.bodyPool);
  } catch (e) {
    if (e instanceof BodyTooLargeError) {
      sendError(ctx, 413, `Request body is too large: the limit is ${svc.config.server.body_limit} bytes.`, { type: 'request_too_large', headers: { connection: 'close' } });
      return null;
    }
    throw e;
  }
  ctx.requestBody = buf;
  try {
    // These two headers are forwarded upstream as they came.
    checkForwardedHeader('anthropic-beta', ctx.req.headers['anthropic-beta']);
    checkForwardedHeader('anthropic-version', ctx.req.headers['anthropic-version']);
    const view = readAnthropicRequest(buf, opts);
    ctx.requestedModel = view.model;
    ctx.stream = view.stream;
    ctx.userId = view.userId;
    return view;
  } catch (e) {
    if (e instanceof RequestValidationError) {
      sendError(ctx, 400, e.message, { type: 'invalid_request_error' });
      return null;
    }
    throw e;
  }
}

function queryOf(url: string | undefined): string {
  const q = url?.indexOf('?') ?? -1;
  return q >= 0 ? url!.slice(q) : '';
}

export async function handleMessages(svc: Services, ctx: RequestContext): Promise<void> {
  const view = await prepareAnthropicRequest(svc, ctx);
  if (!view) return;
  await routeAndExecute(svc, ctx, {
    model: view.model,
    extensions: view.extensions,
    decode: (opts) => decodeForTranslation(ctx, view, opts),
    // Same format: the caller's bytes go upstream as they are (only model and Switchyard's fields edited).
    passthrough: (candidates) => passthroughMessages(executionServices(svc), ctx, view, candidates, queryOf(ctx.req.url)),
  });
}

/**
 * Full decode of an Anthropic request into the canonical form, for a provider of another format. With `bytes`, the
 * strings are byte strings when the body allows (see byte-strings.ts): for a request only translated, never read.
 */
export function decodeForTranslation(ctx: RequestContext, view: AnthropicRequestView, opts: DecodeOptions = {}): CanonicalRequest | null {
  const bytes = opts.bytes === true && decodableAsBytes(view.buf, view.scan);
  const { body, raw } = parseBodyToTranslate(view.buf, 'anthropic', bytes, view.scan);
  takeExtensions(body);
  if (body.metadata && typeof body.metadata === 'object') body.metadata = view.userId === null ? undefined : { user_id: bytes ? byteStringOf(view.userId) : view.userId };
  try {
    const req = codecFor('anthropic').decodeRequest(body);
    return bytes && !markByteStrings(req, raw) ? decodeForTranslation(ctx, view) : req;
  } catch (e) {
    if (e instanceof CodecError) {
      sendError(ctx, 400, e.message, { type: 'invalid_request_error' });
      return null;
    }
    throw e;
  }
}
